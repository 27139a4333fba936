#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::softmax {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "Softmax";
  d.category = "layer";
  d.doc = "Softmax over the features of each vector (each frame of a sequence): e^x_i / sum_j e^x_j. "
          "Padded frames come out as 0. Used inside NetVLAD and NeXtVLAD as the soft assignment of "
          "frames to clusters.";
  d.inputs = {{"x", "a vector or a sequence"}};
  d.shape_doc = "shape unchanged";
  d.shape_rule = [](const LayerContext& ctx) { return same_shape_rule("Softmax", ctx); };
  return {d};
}

}  // namespace ynet::ops::softmax
