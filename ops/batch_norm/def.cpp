#include "ops/registry.h"

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
    const int64_t f = feature_size(ctx.inputs.at(0));
    std::vector<ParamDef> p;
    if (ctx.bool_attr("scale")) p.push_back({"gamma", {f}, "ones", true});
    if (ctx.bool_attr("center")) p.push_back({"beta", {f}, "zeros", true});
    p.push_back({"moving_mean", {f}, "zeros", false});
    p.push_back({"moving_variance", {f}, "ones", false});
    return p;
  };
  return {d};
}

}  // namespace ynet::ops::batch_norm
