// Multiply as a plan step. Step "Multiply": inputs (a, b), outputs (y); y[i] = a[i] * b[i / run] with
// run = elements(a) / elements(b). The gradient reads a and b.
#include "ops/multiply/lower.h"

#include <stdexcept>

namespace ynet::ops::multiply {

int emit(LowerContext& ctx, const Part& part, int a, int b) {
  const std::vector<int64_t> shape = ctx.graph.value(a).shape;
  const int64_t elements = ctx.graph.value(a).elements(), scales = ctx.graph.value(b).elements();
  if (scales == 0 || elements % scales != 0)
    throw std::logic_error("Multiply: b's values do not divide a's in " + ctx.layer.name);
  const int y = part_value(ctx, part, "", shape);
  ctx.emit(part_step(ctx, part, "Multiply", {a, b}, {y}, elements));
  return y;
}

namespace {

void lower(LowerContext& ctx) { ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0), ctx.inputs.at(1)); }

}  // namespace

OpLowering lowering() { return {{"Multiply"}, lower, {{"Multiply", standard_grad({0, 1}, {}, 3.0)}}}; }

}  // namespace ynet::ops::multiply
