// L2Normalize as a plan step. Step "L2Normalize": inputs (x), outputs (y); y = x / sqrt(max(|x|^2, eps))
// per row (per frame for sequences). The gradient reads x and y.
#include "ops/support/lower_support.h"

namespace ynet::ops::l2_normalize {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.graph.value(x).shape, ir::BufferKind::Activation);
  ctx.emit(forward_step(ctx, "L2Normalize", {x}, {y}, 3 * ctx.graph.value(x).elements()));
  ctx.output = y;
}

}  // namespace

OpLowering lowering() { return {{"L2Normalize"}, lower, {{"L2Normalize", standard_grad({0}, {0}, 2.0)}}}; }

}  // namespace ynet::ops::l2_normalize
