// FramePooling as a plan step. Step "FramePooling": inputs (x [B,T,F], lengths), outputs (y [B,F]);
// attribute mode = max | mean | sum over the valid frames. Max's gradient goes to the first argmax,
// which the backward step finds again from x and y.
#include "ops/support/lower_support.h"

namespace ynet::ops::frame_pooling {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  ctx.emit(forward_step(ctx, "FramePooling", {x, ctx.lengths}, {y}, ctx.graph.value(x).elements()));
  ctx.output = y;
}

void grad(const ir::Node& fwd, GradContext& ctx) {
  const bool max = ir::attr_string(fwd.attrs, "mode", "max") == "max";
  standard_grad(max ? std::vector<int>{0, 1} : std::vector<int>{1}, max ? std::vector<int>{0} : std::vector<int>{},
                1.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"FramePooling"}, lower, {{"FramePooling", grad}}}; }

}  // namespace ynet::ops::frame_pooling
