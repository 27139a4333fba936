// ContextGating as plan steps of other ops: Dense (gate_weights, no bias) -> BatchNorm (gate_bn) ->
// Activation (sigmoid) -> Multiply with the input. The input feeds both the gate and the product,
// so its gradient is the sum of the two (the backend adds them).
#include "ops/activation/lower.h"
#include "ops/batch_norm/lower.h"
#include "ops/dense/lower.h"
#include "ops/multiply/lower.h"

namespace ynet::ops::context_gating {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const bool batch_norm = ir::attr_bool(layer_attrs(ctx.layer), "batch_norm", true);
  int gate = dense::emit(ctx, layer_part("gate"), x, ctx.param("gate_weights"), batch_norm ? -1 : ctx.param("gate_bias"));
  if (batch_norm)
    gate = batch_norm::emit(ctx, layer_part("gate_bn", batch_norm::default_attrs()), gate,
                            batch_norm::params(ctx, "gate_bn/"));
  gate = activation::emit(ctx, layer_part("sigmoid"), gate, "sigmoid");
  ctx.output = multiply::emit(ctx, layer_part(""), x, gate);
}

}  // namespace

OpLowering lowering() { return {{"ContextGating"}, lower, {}}; }

}  // namespace ynet::ops::context_gating
