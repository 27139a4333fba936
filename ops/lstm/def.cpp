#include "ops/registry.h"

#include <fmt/format.h>

#include "ops/support/def_support.h"

namespace ynet::ops::lstm {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "LSTM";
  d.category = "layer";
  d.doc = "Stacked one-directional LSTM over the valid frames; gates i, f, g, o = sigmoid, sigmoid, "
          "tanh, sigmoid of (x W + h U + b), c' = f c + i g, h' = o tanh(c'). `forget_bias` is added "
          "to f. Dropout is applied to every layer's output in training; `residual` adds a layer's "
          "input to its output on the layers whose input size equals `hidden`. Outputs past a video's "
          "length are zero. Initial weights: W Glorot-uniform, U a random orthogonal matrix per gate, "
          "b zero.";
  d.inputs = {{"x", "a sequence [B, T, F]"}};
  d.args = {
      int_arg("hidden", std::nullopt, size_range(), "units per layer"),
      int_arg("layers", 1, between(1, 64), "stacked layers"),
      bool_arg("residual", false, "h_out = lstm(x) + x where sizes match"),
      float_arg("dropout", 0.0, fraction_below_one(), "dropout rate on each layer's output"),
      float_arg("forget_bias", 1.0, {}, "added to the forget gate"),
  };
  d.shape_doc = "[B, T, F] -> [B, T, hidden]";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputs.at(0);
    if (!is_sequence(in)) {
      return {std::nullopt,
              {input_rank_error("LSTM", "a sequence [B, T, F]", in,
                                is_vector(in) ? "apply the LSTM before pooling over time" : "")},
              {}};
    }
    ShapeResult r{Shape{in[0], in[1], Dim::constant(ctx.int_attr("hidden"))}, {}, {}};
    if (ctx.bool_attr("residual") && feature_size(in) != ctx.int_attr("hidden")) {
      r.warnings.push_back({fmt::format("no residual connection on layer 0: its input has {} features, "
                                        "its output {}",
                                        feature_size(in), ctx.int_attr("hidden")),
                            "residual connections need equal sizes; the other layers keep theirs",
                            "residual"});
    }
    return r;
  };
  d.param_rule = [](const LayerContext& ctx) {
    const int64_t hidden = ctx.int_attr("hidden");
    std::vector<ParamDef> p;
    int64_t in = feature_size(ctx.inputs.at(0));
    for (int64_t l = 0; l < ctx.int_attr("layers"); ++l) {
      // Gate columns in the canonical i, f, g, o order (oneDNN's ldigo layout).
      p.push_back({fmt::format("layer{}/input_weights", l), {in, 4 * hidden}, "glorot_uniform", true});
      p.push_back({fmt::format("layer{}/recurrent_weights", l), {hidden, 4 * hidden}, "orthogonal", true});
      p.push_back({fmt::format("layer{}/bias", l), {4 * hidden}, "zeros", true});
      in = hidden;
    }
    return p;
  };
  return {d};
}

}  // namespace ynet::ops::lstm
