// TimeWeightedSum as a plan step. Step "TimeWeightedSum": inputs (x [B,T,F], lengths), outputs
// (y [B,F]); y = sum over valid t of w_t x_t with w_t = t / max_frames (linear) or 1 / max_frames
// (uniform). The gradient needs only the lengths.
#include "ops/support/lower_support.h"

namespace ynet::ops::time_weighted_sum {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  ir::Node n = forward_step(ctx, "TimeWeightedSum", {x, ctx.lengths}, {y}, 2 * ctx.graph.value(x).elements());
  n.attrs["max_frames"] = ctx.max_frames;
  ctx.emit(std::move(n));
  ctx.output = y;
}

}  // namespace

OpLowering lowering() { return {{"TimeWeightedSum"}, lower, {{"TimeWeightedSum", standard_grad({1}, {}, 1.0)}}}; }

}  // namespace ynet::ops::time_weighted_sum
