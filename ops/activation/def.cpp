#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::activation {
namespace {

OpDef activation(std::string name, std::string doc) {
  OpDef d;
  d.name = name;
  d.category = "layer";
  d.doc = std::move(doc);
  d.inputs = {{"x", "a vector or a sequence"}};
  d.shape_doc = "shape unchanged";
  d.shape_rule = [name](const LayerContext& ctx) { return same_shape_rule(name, ctx); };
  return d;
}

}  // namespace

std::vector<OpDef> defs() {
  return {
      activation("Relu", "Rectified linear unit: max(x, 0), element-wise."),
      activation("Sigmoid", "Logistic function 1 / (1 + e^-x), element-wise; turns logits into "
                            "per-class probabilities (the usual `output`)."),
      activation("Tanh", "Hyperbolic tangent, element-wise."),
  };
}

}  // namespace ynet::ops::activation
