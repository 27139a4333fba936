// ContextGating as plan steps of other ops: Dense (gate_weights, no bias) -> BatchNorm (gate_bn) ->
// Activation (sigmoid) -> Multiply with the input. The input feeds both the gate and the product,
// so its gradient is the sum of the two (the backend adds them).
#include "ops/activation/lower.h"
#include "ops/batch_norm/lower.h"
#include "ops/multiply/lower.h"

namespace ynet::ops::context_gating {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int gate = activation::emit(ctx, layer_part("sigmoid"), batch_norm::emit_projection(ctx, "gate", "gate", x),
                                    "sigmoid");
  ctx.output = multiply::emit(ctx, layer_part(""), x, gate);
}

}  // namespace

OpLowering lowering() { return {{"ContextGating"}, lower, {}}; }

}  // namespace ynet::ops::context_gating
