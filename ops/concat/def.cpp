#include <fmt/format.h>

#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::concat {
namespace {

OpDef concat() {
  OpDef d;
  d.name = "Concat";
  d.category = "layer";
  d.doc = "Joins two tensors along the feature axis: [a | b]. Both are vectors, or both sequences of the "
          "same length (WILLOW joins the rgb and audio NetVLADs this way).";
  d.inputs = {{"a", "a vector or a sequence"}, {"b", "a tensor of the same rank (and frames)"}};
  d.shape_doc = "[B, Fa] x [B, Fb] -> [B, Fa+Fb]; [B, T, Fa] x [B, T, Fb] -> [B, T, Fa+Fb]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    ShapeResult r = same_shape_rule("Concat", ctx);
    if (!r.shape) return r;
    const Shape& a = ctx.inputs.at(0);
    const Shape& b = ctx.inputs.at(1);
    if (a.size() != b.size() || !std::equal(a.begin(), a.end() - 1, b.begin())) {
      return {std::nullopt,
              {{fmt::format("Concat joins tensors that differ in their features only; a is {}, b is {}",
                            shape_to_string(a), shape_to_string(b)),
                is_sequence(a) != is_sequence(b) ? "pool the sequence first, or project the vector per frame" : "",
                "input1"}},
              {}};
    }
    Shape out = a;
    out.back() = Dim::constant(feature_size(a) + feature_size(b));
    return {out, {}, {}};
  };
  return d;
}

OpDef slice() {
  OpDef d;
  d.name = "Slice";
  d.category = "layer";
  d.doc = "The features [from, from+size) of every vector (every frame of a sequence). `video.rgb` is "
          "the slice of the input that holds its feature `rgb`.";
  d.inputs = {{"x", "a vector or a sequence"}};
  d.args = {int_arg("from", std::nullopt, between(0, 16777216), "first feature kept"),
            int_arg("size", std::nullopt, size_range(), "features kept")};
  d.shape_doc = "[..., F] -> [..., size]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    ShapeResult r = same_shape_rule("Slice", ctx);
    if (!r.shape) return r;
    const int64_t features = feature_size(ctx.inputs.at(0));
    const int64_t from = ctx.int_attr("from"), size = ctx.int_attr("size");
    if (from + size > features) {
      return {std::nullopt,
              {{fmt::format("Slice [{}, {}) reaches past the input's {} features", from, from + size, features),
                fmt::format("at most size: {} from {}", std::max<int64_t>(features - from, 0), from), "size"}},
              {}};
    }
    Shape out = ctx.inputs[0];
    out.back() = Dim::constant(size);
    return {out, {}, {}};
  };
  return d;
}

}  // namespace

std::vector<OpDef> defs() { return {concat(), slice()}; }

}  // namespace ynet::ops::concat
