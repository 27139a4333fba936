// Concat and Slice as plan steps; both move columns of row-major [rows, features] tensors and each
// is the other's gradient.
//   "Concat"  inputs (a [..., Fa], b [..., Fb]), outputs (y [..., Fa+Fb]); attribute split = Fa. Its
//             gradient reads nothing but dy.
//   "Slice"   inputs (x [..., F]), outputs (y [..., size]); attributes from, size. Its gradient
//             writes dx whole: dy in the slice, 0 elsewhere.
#include "ops/support/lower_support.h"

namespace ynet::ops::concat {
namespace {

void lower_concat(LowerContext& ctx) {
  const int a = ctx.inputs.at(0), b = ctx.inputs.at(1);
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  ir::Node n = forward_step(ctx, "Concat", {a, b}, {y}, ctx.graph.value(y).elements());
  n.attrs["split"] = last_dim(ctx.graph.value(a));
  ctx.emit(std::move(n));
  ctx.output = y;
}

void lower_slice(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  ctx.emit(forward_step(ctx, "Slice", {x}, {y}, ctx.graph.value(y).elements()));
  ctx.output = y;
}

void lower(LowerContext& ctx) {
  if (ctx.layer.op == "Slice") return lower_slice(ctx);
  lower_concat(ctx);
}

}  // namespace

OpLowering lowering() {
  return {{"Concat", "Slice"},
          lower,
          {{"Concat", standard_grad({}, {}, 1.0)}, {"Slice", standard_grad({}, {}, 1.0)}}};
}

}  // namespace ynet::ops::concat
