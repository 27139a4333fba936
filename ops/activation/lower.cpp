// Element-wise activations as one step op, "Activation" with attribute kind = relu | sigmoid | tanh.
// The gradient reads y alone: relu' = [y > 0], sigmoid' = y(1-y), tanh' = 1-y^2.
#include "ops/activation/lower.h"

#include <cctype>

namespace ynet::ops::activation {

int emit(LowerContext& ctx, Part part, int x, const std::string& kind) {
  const std::vector<int64_t> shape = ctx.graph.value(x).shape;
  const int y = part_value(ctx, part, "", shape);
  part.attrs["kind"] = kind;
  ctx.emit(part_step(ctx, part, "Activation", {x}, {y}, 4 * ctx.graph.value(x).elements()));
  return y;
}

namespace {

void lower(LowerContext& ctx) {
  std::string kind = ctx.layer.op;
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0), kind);
}

}  // namespace

OpLowering lowering() {
  return {{"Relu", "Sigmoid", "Tanh"}, lower, {{"Activation", standard_grad({}, {0}, 1.0)}}};
}

}  // namespace ynet::ops::activation
