#include <fmt/format.h>

#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::multiply {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "Multiply";
  d.category = "layer";
  d.doc = "Element-wise product of two tensors of the same shape: gating by hand "
          "(`Multiply(h, Sigmoid(Dense(h, units: 1024)))`); ContextGating is this with a learned gate.";
  d.inputs = {{"a", "a vector or a sequence"}, {"b", "a tensor of the same shape"}};
  d.shape_doc = "[B, F] x [B, F] -> [B, F]; [B, T, F] x [B, T, F] -> [B, T, F]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    ShapeResult r = same_shape_rule("Multiply", ctx);
    if (!r.shape) return r;
    const Shape& a = ctx.inputs.at(0);
    const Shape& b = ctx.inputs.at(1);
    if (a != b) {
      return {std::nullopt,
              {{fmt::format("Multiply needs two tensors of the same shape; a is {}, b is {}", shape_to_string(a),
                            shape_to_string(b)),
                "project one of them first, e.g. `Dense(b, units: ...)`", "input1"}},
              {}};
    }
    return r;
  };
  return {d};
}

}  // namespace ynet::ops::multiply
