#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::dense {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "Dense";
  d.category = "layer";
  d.doc = "Fully connected layer: y = activation(x W + b). With `per_frame: true` it projects every "
          "frame of a sequence on its own (the DBoF cluster projection: Dense over frames, then pooling).";
  d.inputs = {{"x", "a vector [B, F], or a sequence [B, T, F] with per_frame"}};
  d.args = {
      int_arg("units", std::nullopt, size_range(), "output features"),
      choice_arg("activation", "none", {"none", "relu", "sigmoid", "tanh"}, "applied to the output"),
      bool_arg("per_frame", false, "apply to every frame of a sequence"),
      bool_arg("bias", true, "add a learned bias b"),
  };
  d.shape_doc = "[B, F] -> [B, units]; per_frame: [B, T, F] -> [B, T, units]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    const bool per_frame = ctx.bool_attr("per_frame");
    const Dim units = Dim::constant(ctx.int_attr("units"));
    if (is_sequence(in) && !per_frame) {
      return {std::nullopt,
              {input_rank_error("Dense", "a vector [B, F]", in,
                                "pool the frames first (FramePooling, TimeWeightedSum), or pass "
                                "`per_frame: true` to apply Dense to every frame")},
              {}};
    }
    if (is_vector(in) && per_frame) {
      return {std::nullopt, {input_rank_error("Dense", "a sequence [B, T, F] with `per_frame: true`", in,
                                              "remove `per_frame: true`")}, {}};
    }
    if (is_sequence(in)) return {Shape{in[0], in[1], units}, {}, {}};
    if (is_vector(in)) return {Shape{in[0], units}, {}, {}};
    return {std::nullopt, {input_rank_error("Dense", "a vector [B, F]", in, {})}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t in = feature_size(ctx.inputs.at(0));
    const int64_t units = ctx.int_attr("units");
    std::vector<ParamDef> p{{"weights", {in, units}, "glorot_uniform", true}};
    if (ctx.bool_attr("bias")) p.push_back({"bias", {units}, "zeros", true});
    return p;
  };
  return {d};
}

}  // namespace ynet::ops::dense
