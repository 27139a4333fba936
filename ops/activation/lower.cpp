// Element-wise activations as one step op, "Activation" with attribute kind = relu | sigmoid | tanh.
// The gradient reads y alone: relu' = [y > 0], sigmoid' = y(1-y), tanh' = 1-y^2.
#include "ops/support/lower_support.h"

namespace ynet::ops::activation {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  ir::Node n = forward_step(ctx, "Activation", {x}, {y}, 4 * ctx.graph.value(x).elements());
  std::string kind = ctx.layer.op;
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  n.attrs["kind"] = kind;
  ctx.emit(std::move(n));
  ctx.output = y;
}

}  // namespace

OpLowering lowering() {
  return {{"Relu", "Sigmoid", "Tanh"}, lower, {{"Activation", standard_grad({}, {0}, 1.0)}}};
}

}  // namespace ynet::ops::activation
