#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::moe_classifier {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "MoeClassifier";
  d.category = "layer";
  d.doc = "The YouTube-8M starter code's video-level MoeModel: per class, a softmax gate over "
          "`mixtures` logistic experts plus a dummy expert. Outputs probabilities, not logits: pair it "
          "with `SigmoidCrossEntropy(p, labels, on: probabilities)` and `output p`.";
  d.inputs = {{"x", "a vector [B, F]"}};
  d.args = {
      int_arg("classes", std::nullopt, size_range(), "output classes"),
      int_arg("mixtures", 2, between(1, 64), "logistic experts per class"),
      float_arg("l2_penalty", 1e-8, at_least(0), "L2 weight decay on gate and expert weights"),
  };
  d.shape_doc = "[B, F] -> [B, classes] (probabilities)";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_vector(in)) {
      return {std::nullopt,
              {input_rank_error("MoeClassifier", "a vector [B, F]", in,
                                is_sequence(in) ? "pool the frames first (FramePooling, TimeWeightedSum)" : "")},
              {}};
    }
    return {Shape{in[0], Dim::constant(ctx.int_attr("classes"))}, {}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t in = feature_size(ctx.inputs.at(0));
    const int64_t classes = ctx.int_attr("classes");
    const int64_t m = ctx.int_attr("mixtures");
    // As in the starter code: the gates have no bias, the experts do.
    return std::vector<ParamDef>{
        {"gate_weights", {in, classes * (m + 1)}, "glorot_uniform", true},
        {"expert_weights", {in, classes * m}, "glorot_uniform", true},
        {"expert_bias", {classes * m}, "zeros", true},
    };
  };
  return {d};
}

}  // namespace ynet::ops::moe_classifier
