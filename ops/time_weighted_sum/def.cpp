#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::time_weighted_sum {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "TimeWeightedSum";
  d.category = "layer";
  d.doc = "Weighted sum over time, sum_t w_t h_t for t = 1..T over the valid frames. `linear`: "
          "w_t = t / max_frames (the paper's eq. 2); `uniform`: w_t = 1 / max_frames.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {choice_arg("weights", "linear", {"linear", "uniform"}, "the weights w_t")};
  d.shape_doc = "[B, T, F] -> [B, F]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_sequence(in)) {
      return {std::nullopt, {input_rank_error("TimeWeightedSum", "a sequence [B, T, F]", in, {})}, {}};
    }
    return {Shape{in[0], in[2]}, {}, {}};
  };
  return {d};
}

}  // namespace ynet::ops::time_weighted_sum
