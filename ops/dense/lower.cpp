// Dense as plan steps. Step "Dense": inputs (x, weights [in, out], bias [out] or -1), outputs (y).
// x is [N, in] where N = B, or B*T with per_frame. "Dense.grad" writes (dx, dweights, dbias).
// An inference plan in int8 (passes/quantize.h) adds a fourth input, the weights' column scales
// [out], written by the layer's "QuantizeDense" prologue step (weights) -> (scales); see int8.h.
#include "ops/dense/lower.h"

namespace ynet::ops::dense {

int emit(LowerContext& ctx, const Part& part, int x, int w, int b) {
  std::vector<int64_t> shape = ctx.graph.value(x).shape;
  const int64_t inputs = ctx.graph.value(w).shape.at(0), units = ctx.graph.value(w).shape.at(1);
  shape.back() = units;
  const int y = part_value(ctx, part, "", shape);
  const int64_t n = rows(ctx.graph.value(x));
  ctx.emit(part_step(ctx, part, "Dense", {x, w, b}, {y}, 2 * n * inputs * units + 2 * n * units));
  return y;
}

namespace {

void lower(LowerContext& ctx) {
  ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0), ctx.param("weights"),
                    ctx.params.count("bias") ? ctx.param("bias") : -1);
}

// dx = dy' W^T and dW = x^T dy' (dy' = dy through the activation, which needs y unless linear).
// Without dx (the first layer over the data) the step does one product, not two.
void grad(const ir::Node& fwd, GradContext& ctx) {
  const bool linear = ir::attr_string(fwd.attrs, "activation", "none") == "none";
  const std::vector<int> outputs = linear ? std::vector<int>{} : std::vector<int>{0};
  standard_grad({0, 1}, outputs, ctx.needs_grad(fwd.inputs.at(0)) ? 2.0 : 1.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"Dense"}, lower, {{"Dense", grad}}}; }

}  // namespace ynet::ops::dense
