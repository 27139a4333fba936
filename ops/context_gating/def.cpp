#include "ops/batch_norm/params.h"
#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::context_gating {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "ContextGating";
  d.category = "layer";
  d.doc = "Context Gating (Miech et al. 2017, WILLOW): y = sigmoid(BatchNorm(x W)) * x, a learned "
          "gate on every feature from all of them. On pooled features after the hidden layer, or on "
          "the classifier's probabilities (WILLOW's gated MoE; then the loss reads probabilities).";
  d.inputs = {{"x", "a vector [B, F]"}};
  d.args = {bool_arg("batch_norm", true, "batch-normalize the gate's logits (otherwise a learned bias)")};
  d.shape_doc = "[B, F] -> [B, F]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_vector(in)) {
      return {std::nullopt,
              {input_rank_error("ContextGating", "a vector [B, F]", in,
                                is_sequence(in) ? "pool the frames first (NetVLAD, FramePooling)" : "")},
              {}};
    }
    return {in, {}, {}};
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t f = feature_size(ctx.inputs.at(0));
    return batch_norm::projection_params("gate", f, f, ctx.bool_attr("batch_norm"));
  };
  return {d};
}

}  // namespace ynet::ops::context_gating
