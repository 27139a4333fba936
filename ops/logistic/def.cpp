#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::logistic {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "Logistic";
  d.category = "layer";
  d.doc = "The starter code's LogisticModel: one linear layer to class logits, x W + b, with L2 "
          "weight decay. Pair it with SigmoidCrossEntropy and Sigmoid.";
  d.inputs = {{"x", "a vector [B, F]"}};
  d.args = {
      int_arg("classes", std::nullopt, size_range(), "output classes"),
      float_arg("l2_penalty", 1e-8, at_least(0), "L2 weight decay on W"),
  };
  d.shape_doc = "[B, F] -> [B, classes] (logits)";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_vector(in)) {
      return {std::nullopt,
              {input_rank_error("Logistic", "a vector [B, F]", in,
                                is_sequence(in) ? "pool the frames first (FramePooling, TimeWeightedSum)" : "")},
              {}};
    }
    return {Shape{in[0], Dim::constant(ctx.int_attr("classes"))}, {}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t in = feature_size(ctx.inputs.at(0));
    const int64_t classes = ctx.int_attr("classes");
    return std::vector<ParamDef>{{"weights", {in, classes}, "glorot_uniform", true},
                                 {"bias", {classes}, "zeros", true}};
  };
  return {d};
}

}  // namespace ynet::ops::logistic
