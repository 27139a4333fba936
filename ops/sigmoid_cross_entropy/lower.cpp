// The training loss as a plan step. Step "SigmoidCrossEntropy" (phase loss): inputs (logits or
// probabilities [B,C], labels [B,C] multi-hot, class_weights [C] or -1), outputs (a scalar):
// summed over classes, averaged over the batch. With balance: inverse_frequency the positive term
// of class c is weighted by class_weights[c], model state the trainer fills from the label counts.
#include "ops/support/lower_support.h"

namespace ynet::ops::sigmoid_cross_entropy {
namespace {

void lower(LowerContext& ctx) {
  const int logits = ctx.inputs.at(0);
  const int labels = ctx.inputs.at(1);
  int weights = -1;
  if (ir::attr_string(layer_attrs(ctx.layer), "balance", "none") == "inverse_frequency") {
    weights = ctx.add_value("class_weights", {ctx.graph.value(labels).shape[1]}, ir::BufferKind::ModelState);
    ctx.graph.state.push_back({ctx.graph.value(weights).name, weights, "inverse_frequency"});
  }
  const int loss = ctx.add_value("", {}, ir::BufferKind::Scalar);
  ir::Node n = forward_step(ctx, "SigmoidCrossEntropy", {logits, labels, weights}, {loss},
                            6 * ctx.graph.value(logits).elements());
  n.phase = ir::Phase::Loss;
  n.attrs.erase("training");
  ctx.emit(std::move(n));
  ctx.output = loss;
}

}  // namespace

OpLowering lowering() {
  return {{"SigmoidCrossEntropy"}, lower, {{"SigmoidCrossEntropy", standard_grad({0, 1, 2}, {}, 1.0)}}};
}

}  // namespace ynet::ops::sigmoid_cross_entropy
