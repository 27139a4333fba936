#include "ops/registry.h"

#include <fmt/format.h>

#include "ops/support/def_support.h"

namespace ynet::ops::moe {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "MoE";
  d.category = "layer";
  d.doc = "Sparsely gated mixture of experts (Shazeer et al. 2017), applied to every time step of a "
          "sequence. Gating H(x) = x W_g + noise * softplus(x W_noise) (noise in training only), "
          "G(x) = softmax over the top_k entries, y = sum_i G(x)_i E_i(x) over the chosen experts. "
          "The importance and load losses, weighted by w_importance and w_load, join the training "
          "loss. Each expert is a copy of the `expert` sub-network with its own parameters.";
  d.inputs = {{"x", "a vector [B, F] or a sequence [B, T, F]"}};
  d.args = {
      int_arg("experts", std::nullopt, between(1, 4096), "number of experts"),
      int_arg("top_k", 2, between(1, 4096), "experts active per example, 1 <= top_k <= experts"),
      bool_arg("noisy", true, "noisy top-k gating (W_noise)"),
      float_arg("w_importance", 0.1, at_least(0), "weight of the importance loss CV(Importance)^2"),
      float_arg("w_load", 0.1, at_least(0), "weight of the load loss CV(Load)^2"),
      network_arg("expert", "the expert network, from [B, F] to [B, F']"),
  };
  d.shape_doc = "[B, T, F] -> [B, T, F'] (or [B, F] -> [B, F']), F' the expert's output";
  d.subnetwork_replicas_arg = "experts";
  d.subnetwork_input = [](const LayerContext& ctx) {
    const Shape& in = ctx.inputs.at(0);
    if (in.size() < 2) return in;  // the shape rule reports the rank
    return Shape{in[0], in.back()};
  };
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    ShapeResult r;
    if (!is_vector(in) && !is_sequence(in)) {
      r.errors.push_back(input_rank_error("MoE", "a vector [B, F] or a sequence [B, T, F]", in, {}));
      return r;
    }
    if (ctx.int_attr("top_k") > ctx.int_attr("experts")) {
      r.errors.push_back({fmt::format("top_k ({}) exceeds the number of experts ({})",
                                      ctx.int_attr("top_k"), ctx.int_attr("experts")),
                          "top_k must be between 1 and `experts`", "top_k"});
      return r;
    }
    if (!ctx.subnetwork_output) return r;
    const Shape& out = *ctx.subnetwork_output;
    if (!is_vector(out)) {
      r.errors.push_back({fmt::format("the expert network must produce a vector [B, F']; it produces {} {}",
                                      rank_name(out), shape_to_string(out)),
                          {}, "expert"});
      return r;
    }
    r.shape = is_sequence(in) ? Shape{in[0], in[1], out[1]} : Shape{in[0], out[1]};
    return r;
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t in = feature_size(ctx.inputs.at(0));
    const int64_t experts = ctx.int_attr("experts");
    // Zero gating weights start every expert equally likely, as in Shazeer et al.
    std::vector<ParamDef> p{{"gate_weights", {in, experts}, "zeros", true}};
    if (ctx.bool_attr("noisy")) p.push_back({"noise_weights", {in, experts}, "zeros", true});
    return p;
  };
  return {d};
}

}  // namespace ynet::ops::moe
