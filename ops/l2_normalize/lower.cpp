// L2Normalize as a plan step. Step "L2Normalize": inputs (x), outputs (y); y = x / sqrt(max(|x|^2, eps))
// per row (per frame for sequences), or per run of `group` values when the step says so. The
// gradient reads x and y.
#include "ops/l2_normalize/lower.h"

namespace ynet::ops::l2_normalize {

int emit(LowerContext& ctx, Part part, int x, int64_t group) {
  const std::vector<int64_t> shape = ctx.graph.value(x).shape;
  const int y = part_value(ctx, part, "", shape);
  if (group > 0) part.attrs["group"] = group;
  ctx.emit(part_step(ctx, part, "L2Normalize", {x}, {y}, 3 * ctx.graph.value(x).elements()));
  return y;
}

namespace {

void lower(LowerContext& ctx) { ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0)); }

}  // namespace

OpLowering lowering() { return {{"L2Normalize"}, lower, {{"L2Normalize", standard_grad({0}, {0}, 2.0)}}}; }

}  // namespace ynet::ops::l2_normalize
