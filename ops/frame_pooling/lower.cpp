// FramePooling as a plan step. Step "FramePooling": inputs (x [B,T,F], lengths), outputs (y [B,F]);
// attribute mode = max | mean | sum over the valid frames. Max's gradient goes to the first argmax,
// which the backward step finds again from x and y.
#include "ops/frame_pooling/lower.h"

namespace ynet::ops::frame_pooling {

int emit(LowerContext& ctx, Part part, int x, const std::string& mode) {
  const std::vector<int64_t> shape = ctx.graph.value(x).shape;
  const int y = part_value(ctx, part, "", {shape.at(0), shape.at(2)});
  part.attrs["mode"] = mode;
  ctx.emit(part_step(ctx, part, "FramePooling", {x, ctx.lengths}, {y}, ctx.graph.value(x).elements()));
  return y;
}

namespace {

void lower(LowerContext& ctx) {
  ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0), ir::attr_string(layer_attrs(ctx.layer), "mode", "max"));
}

void grad(const ir::Node& fwd, GradContext& ctx) {
  const bool max = ir::attr_string(fwd.attrs, "mode", "max") == "max";
  standard_grad(max ? std::vector<int>{0, 1} : std::vector<int>{1}, max ? std::vector<int>{0} : std::vector<int>{},
                1.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"FramePooling"}, lower, {{"FramePooling", grad}}}; }

}  // namespace ynet::ops::frame_pooling
