#include <fmt/format.h>

#include "ops/batch_norm/params.h"
#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::vlad {
namespace {

const char* const kSequenceHint = "learnable pooling reads the frames: give it the sequence, before any pooling";

std::optional<RuleError> needs_sequence(const std::string& op, const LayerContext& ctx) {
  const Shape& in = ctx.inputs.at(0);
  if (is_sequence(in)) return std::nullopt;
  return input_rank_error(op, "a sequence [B, T, F]", in, kSequenceHint);
}

ArgDef clusters_arg(int64_t default_clusters) {
  return int_arg("clusters", default_clusters, between(1, 4096), "number of clusters K");
}

ArgDef batch_norm_arg() {
  return bool_arg("batch_norm", true, "batch-normalize the assignment logits (otherwise a learned bias)");
}

// The soft assignment of NetVLAD, NetRVLAD and SoftDBoW: x W, then BatchNorm or a bias.
std::vector<ParamDef> assignment_params(const LayerContext& ctx, int64_t features, int64_t clusters) {
  return batch_norm::projection_params("cluster", features, clusters, ctx.bool_attr("batch_norm"));
}

OpDef vlad(const std::string& name, bool centres) {
  OpDef d;
  d.name = name;
  d.category = "layer";
  d.doc = centres
              ? "NetVLAD pooling (Arandjelovic et al. 2016; WILLOW, YouTube-8M 2017 winner): soft-assigns each "
                "valid frame to K clusters (softmax of BatchNorm(x W)), sums the frames' residuals to learned "
                "centres per cluster, L2-normalizes each cluster's sum, then the whole vector. Padded frames "
                "are masked. Output is cluster-major: K blocks of F."
              : "NetRVLAD pooling (WILLOW): NetVLAD without centres: per cluster, the soft-assignment-weighted "
                "sum of the valid frames, L2-normalized per cluster and as a whole. Output is cluster-major.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {clusters_arg(64), batch_norm_arg()};
  d.shape_doc = "[B, T, F] -> [B, clusters*F]";
  d.shape_rule = [name](const LayerContext& ctx) -> ShapeResult {
    if (auto e = needs_sequence(name, ctx)) return {std::nullopt, {*e}, {}};
    const Shape& in = ctx.inputs[0];
    return {Shape{in[0], Dim::constant(ctx.int_attr("clusters") * feature_size(in))}, {}, {}};
  };
  d.param_rule = [centres](const LayerContext& ctx) {
    const int64_t f = feature_size(ctx.inputs.at(0)), k = ctx.int_attr("clusters");
    std::vector<ParamDef> p = assignment_params(ctx, f, k);
    if (centres) p.push_back({"centres", {k, f}, "glorot_uniform", true});
    return p;
  };
  return d;
}

OpDef soft_dbow() {
  OpDef d;
  d.name = "SoftDBoW";
  d.category = "layer";
  d.doc = "Soft Deep Bag-of-Words pooling (WILLOW): soft-assigns each valid frame to K clusters "
          "(softmax of BatchNorm(x W)), sums the assignments over the frames and L2-normalizes the "
          "K-vector: a soft histogram of the video's frames.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {clusters_arg(256), batch_norm_arg()};
  d.shape_doc = "[B, T, F] -> [B, clusters]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    if (auto e = needs_sequence("SoftDBoW", ctx)) return {std::nullopt, {*e}, {}};
    return {Shape{ctx.inputs[0][0], Dim::constant(ctx.int_attr("clusters"))}, {}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    return assignment_params(ctx, feature_size(ctx.inputs.at(0)), ctx.int_attr("clusters"));
  };
  return d;
}

OpDef next_vlad() {
  OpDef d;
  d.name = "NeXtVLAD";
  d.category = "layer";
  d.doc = "NeXtVLAD pooling (Lin, Xiao & Fan 2018; YouTube-8M 2018, best single model): expands each "
          "frame to expansion*F (Dense), splits it into G groups of expansion*F/G, weighs each group "
          "by a sigmoid attention (Dense over the expanded frame), soft-assigns every group to K "
          "clusters (softmax of BatchNorm), sums the residuals to K shared centres over all groups of "
          "the valid frames, L2-normalizes each cluster's sum and batch-normalizes the result.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {
      clusters_arg(128),
      int_arg("groups", 8, between(1, 1024), "groups G per frame"),
      int_arg("expansion", 2, between(1, 64), "the expansion factor lambda of each frame"),
  };
  d.shape_doc = "[B, T, F] -> [B, clusters*expansion*F/groups]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    if (auto e = needs_sequence("NeXtVLAD", ctx)) return {std::nullopt, {*e}, {}};
    const Shape& in = ctx.inputs[0];
    const int64_t expanded = ctx.int_attr("expansion") * feature_size(in), groups = ctx.int_attr("groups");
    if (expanded % groups != 0) {
      return {std::nullopt,
              {{fmt::format("NeXtVLAD splits expansion*F = {} features into {} groups, which does not divide it",
                            expanded, groups),
                "choose groups that divide the expanded frame, e.g. 8 for 1024 features", "groups"}},
              {}};
    }
    return {Shape{in[0], Dim::constant(ctx.int_attr("clusters") * expanded / groups)}, {}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t f = feature_size(ctx.inputs.at(0)), k = ctx.int_attr("clusters"), g = ctx.int_attr("groups");
    const int64_t expanded = ctx.int_attr("expansion") * f, group_size = expanded / g;
    std::vector<ParamDef> p{
        {"expansion/weights", {f, expanded}, "glorot_uniform", true},
        {"expansion/bias", {expanded}, "zeros", true},
        {"attention/weights", {expanded, g}, "glorot_uniform", true},
        {"attention/bias", {g}, "zeros", true},
    };
    for (ParamDef& d : batch_norm::projection_params("cluster", expanded, g * k, true)) p.push_back(std::move(d));
    p.push_back({"centres", {k, group_size}, "glorot_uniform", true});
    for (ParamDef& d : batch_norm::param_defs("output_bn/", k * group_size)) p.push_back(std::move(d));
    return p;
  };
  return d;
}

}  // namespace

std::vector<OpDef> defs() { return {vlad("NetVLAD", true), vlad("NetRVLAD", false), soft_dbow(), next_vlad()}; }

}  // namespace ynet::ops::vlad
