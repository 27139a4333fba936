#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::frame_pooling {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "FramePooling";
  d.category = "layer";
  d.doc = "Pools a sequence over its valid frames (padding is ignored) into one vector per video: "
          "the Bag-of-Frames step.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {choice_arg("mode", "max", {"max", "mean", "sum"}, "how frames are combined")};
  d.shape_doc = "[B, T, F] -> [B, F]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_sequence(in)) {
      return {std::nullopt,
              {input_rank_error("FramePooling", "a sequence [B, T, F]", in,
                                is_vector(in) ? "the input has no time axis left to pool" : "")},
              {}};
    }
    return {Shape{in[0], in[2]}, {}, {}};
  };
  return {d};
}

}  // namespace ynet::ops::frame_pooling
