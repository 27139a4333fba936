#include "ops/registry.h"

#include "ops/batch_norm/params.h"
#include "ops/support/def_support.h"

namespace ynet::ops::batch_norm {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "BatchNorm";
  d.category = "layer";
  d.doc = "Batch normalization of every feature. Training uses the batch statistics: over the batch, "
          "or for sequences over the valid frames only (padded frames do not count, and come out as "
          "0); inference uses moving averages, which are state, not trainable parameters.";
  d.inputs = {{"x", "a vector or a sequence"}};
  d.args = {
      float_arg("momentum", 0.99, fraction_below_one(), "moving average: m <- momentum*m + (1-momentum)*batch"),
      float_arg("epsilon", 1e-3, greater_than(0), "added to the variance"),
      bool_arg("scale", true, "learn a scale gamma"),
      bool_arg("center", true, "learn a shift beta"),
  };
  d.shape_doc = "shape unchanged";
  d.shape_rule = [](const LayerContext& ctx) { return same_shape_rule("BatchNorm", ctx); };
  d.param_rule = [](const LayerContext& ctx) {
    return param_defs("", feature_size(ctx.inputs.at(0)), ctx.bool_attr("scale"), ctx.bool_attr("center"));
  };
  return {d};
}

}  // namespace ynet::ops::batch_norm
