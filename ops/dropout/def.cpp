#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::dropout {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "Dropout";
  d.category = "layer";
  d.doc = "Inverted dropout: in training each element is dropped with probability `rate` and the rest "
          "are scaled by 1/(1-rate); inference passes x through.";
  d.inputs = {{"x", "a vector or a sequence"}};
  d.args = {float_arg("rate", 0.5, fraction_below_one(), "probability of dropping an element")};
  d.shape_doc = "shape unchanged";
  d.shape_rule = [](const LayerContext& ctx) { return same_shape_rule("Dropout", ctx); };
  return {d};
}

}  // namespace ynet::ops::dropout
