#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::l2_normalize {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "L2Normalize";
  d.category = "layer";
  d.doc = "Scales each feature vector (each frame of a sequence) to unit L2 norm: "
          "x / sqrt(max(sum x^2, epsilon)).";
  d.inputs = {{"x", "a vector or a sequence"}};
  d.args = {float_arg("epsilon", 1e-12, greater_than(0), "lower bound of the squared norm")};
  d.shape_doc = "shape unchanged";
  d.shape_rule = [](const LayerContext& ctx) { return same_shape_rule("L2Normalize", ctx); };
  return {d};
}

}  // namespace ynet::ops::l2_normalize
