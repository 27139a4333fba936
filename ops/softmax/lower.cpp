// Softmax as a plan step. Step "Softmax": inputs (x[, lengths]), outputs (y); attribute width (the
// run of values one softmax covers; the last axis when absent). With lengths, x is [B, T, ...] and
// every value of a padded frame is 0 in y. The gradient reads y alone: dx = y (dy - <y, dy>), which
// is 0 wherever y is.
#include "ops/softmax/lower.h"

namespace ynet::ops::softmax {

int emit(LowerContext& ctx, Part part, int x, int64_t width) {
  const std::vector<int64_t> shape = ctx.graph.value(x).shape;
  const int y = part_value(ctx, part, "", shape);
  if (width > 0) part.attrs["width"] = width;
  std::vector<int> inputs{x};
  if (shape.size() == 3 && ctx.lengths >= 0) inputs.push_back(ctx.lengths);
  ctx.emit(part_step(ctx, part, "Softmax", inputs, {y}, 5 * ctx.graph.value(x).elements()));
  return y;
}

namespace {

void lower(LowerContext& ctx) { ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0)); }

}  // namespace

OpLowering lowering() { return {{"Softmax"}, lower, {{"Softmax", standard_grad({}, {0}, 1.0)}}}; }

}  // namespace ynet::ops::softmax
