#include "ops/registry.h"

#include <fmt/format.h>

#include "ops/support/def_support.h"

namespace ynet::ops::sigmoid_cross_entropy {

std::vector<OpDef> defs() {
  OpDef d;
  d.name = "SigmoidCrossEntropy";
  d.category = "loss";
  d.doc = "Multi-label sigmoid cross-entropy, summed over classes and averaged over the batch; "
          "computed stably from logits. `balance: inverse_frequency` weights each class's positive "
          "term by (label occurrences of all classes) / (classes * positives of the class), the penalized "
          "loss of the paper's `_bal` models.";
  d.inputs = {{"logits", "a vector [B, C]"}, {"labels", "the model's labels tensor"}};
  d.args = {
      choice_arg("balance", "none", {"none", "inverse_frequency"}, "weighting of positive terms"),
      choice_arg("on", "logits", {"logits", "probabilities"},
                 "what the first input holds; MoeClassifier produces probabilities"),
  };
  d.shape_doc = "[B, C], labels [B, C] -> [] (a scalar)";
  d.shape_rule = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& logits = ctx.inputs.at(0);
    const Shape& labels = ctx.inputs.at(1);
    ShapeResult r;
    if (!is_vector(logits)) {
      r.errors.push_back(input_rank_error("SigmoidCrossEntropy", "a vector [B, C]", logits,
                                          is_sequence(logits) ? "pool the frames first" : ""));
      return r;
    }
    if (ctx.input_ops.at(1) != "Labels") {
      r.errors.push_back({"the second input of SigmoidCrossEntropy must be the model's labels",
                          "declare them with `labels target = multilabel(N)` and pass `target`", "input1"});
      return r;
    }
    if (feature_size(logits) != feature_size(labels)) {
      r.errors.push_back({fmt::format("{} logits per video but {} label classes", feature_size(logits),
                                      feature_size(labels)),
                          "size the classifier with `units: <labels>.classes`", "input0"});
      return r;
    }
    const std::string& producer = ctx.input_ops.at(0);
    const bool probabilities = producer == "MoeClassifier" || producer == "Sigmoid";
    if (probabilities && ctx.string_attr("on") == "logits") {
      r.errors.push_back({fmt::format("{} produces probabilities, but the loss expects logits", producer),
                          producer == "Sigmoid" ? "pass the logits before the Sigmoid"
                                                : "pass `on: probabilities`",
                          "input0"});
      return r;
    }
    r.shape = Shape{};
    return r;
  };
  return {d};
}

}  // namespace ynet::ops::sigmoid_cross_entropy
