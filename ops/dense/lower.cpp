// Dense as plan steps. Step "Dense": inputs (x, weights [in, out], bias [out] or -1), outputs (y).
// x is [N, in] where N = B, or B*T with per_frame. "Dense.grad" writes (dx, dweights, dbias).
// An inference plan in int8 (passes/quantize.h) adds a fourth input, the weights' column scales
// [out], written by the layer's "QuantizeDense" prologue step (weights) -> (scales); see int8.h.
#include "ops/support/lower_support.h"

namespace ynet::ops::dense {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int w = ctx.param("weights");
  const int b = ctx.params.count("bias") ? ctx.param("bias") : -1;
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  const ir::Value& wv = ctx.graph.value(w);
  const int64_t n = rows(ctx.graph.value(x));
  const int64_t flops = 2 * n * wv.shape[0] * wv.shape[1] + 2 * n * wv.shape[1];
  ctx.emit(forward_step(ctx, "Dense", {x, w, b}, {y}, flops));
  ctx.output = y;
}

// dx = dy' W^T and dW = x^T dy' (dy' = dy through the activation, which needs y unless linear).
void grad(const ir::Node& fwd, GradContext& ctx) {
  const bool linear = ir::attr_string(fwd.attrs, "activation", "none") == "none";
  const std::vector<int> outputs = linear ? std::vector<int>{} : std::vector<int>{0};
  standard_grad({0, 1}, outputs, 2.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"Dense"}, lower, {{"Dense", grad}}}; }

}  // namespace ynet::ops::dense
