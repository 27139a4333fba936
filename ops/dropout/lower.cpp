// Dropout as a plan step. Step "Dropout": inputs (x), outputs (y); attributes rate and stream.
// The mask is a pure function of (seed, step, stream, element) (Philox, see philox.h), so the
// backward step recomputes it instead of keeping it, and CPU and GPU drop the same units.
#include "ops/support/lower_support.h"

namespace ynet::ops::dropout {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.graph.value(x).shape, ir::BufferKind::Activation);
  ir::Node n = forward_step(ctx, "Dropout", {x}, {y}, 2 * ctx.graph.value(x).elements());
  n.attrs["stream"] = ctx.rng_stream;
  ctx.emit(std::move(n));
  ctx.output = y;
}

}  // namespace

OpLowering lowering() { return {{"Dropout"}, lower, {{"Dropout", standard_grad({}, {}, 1.0)}}}; }

}  // namespace ynet::ops::dropout
