#pragma once
// The operands of SigmoidCrossEntropy's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "SigmoidCrossEntropy"       inputs (values [B,C], labels [B,C], class_weights [C] or -1), output
//                               the loss (a scalar); attribute on (logits, probabilities): values are
//                               logits, or the MoE classifier's probabilities
//   "SigmoidCrossEntropy.grad"  the forward inputs and dloss (read as the step runs), output dvalues
#include <cstddef>
#include <stdexcept>
#include <string>

#include "ops/sigmoid_cross_entropy/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::sigmoid_cross_entropy {

inline CrossEntropyShape shape_of(const ir::Value& values) {
  if (values.shape.size() != 2) throw std::invalid_argument("SigmoidCrossEntropy takes [batch, classes] inputs");
  return {static_cast<size_t>(values.shape[0]), static_cast<size_t>(values.shape[1])};
}

inline bool on_probabilities(const ir::Node& n) {
  const std::string on = ir::attr_string(n.attrs, "on", "logits");
  if (on != "logits" && on != "probabilities")
    throw std::invalid_argument("SigmoidCrossEntropy is on logits or probabilities, not '" + on + "'");
  return on == "probabilities";
}

// What both steps read: the forward inputs.
template <runtime::StepBuffers B>
struct LossOperands {
  using T = typename B::Element;
  CrossEntropyShape shape;
  bool probabilities;  // values are probabilities (the starter code's loss), not logits
  const T* values;
  const T* labels;
  const T* class_weights;  // nullptr without class balancing

  LossOperands(const ir::Node& n, B& b, int values_id, int labels_id, int class_weights_id)
      : shape(shape_of(checked(b, values_id, labels_id))),
        probabilities(on_probabilities(n)),
        values(b.f(values_id)),
        labels(b.f(labels_id)),
        class_weights(b.f(class_weights_id)) {}

 private:
  static const ir::Value& checked(const B& b, int values_id, int labels_id) {
    if (values_id < 0 || labels_id < 0)
      throw std::invalid_argument("SigmoidCrossEntropy needs its input and the labels");
    return b.plan().graph.value(values_id);
  }
};

template <runtime::StepBuffers B>
struct ForwardOperands : LossOperands<B> {
  using T = typename B::Element;
  T* loss;

  ForwardOperands(const ir::Node& n, B& b)
      : LossOperands<B>(n, b, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2)), loss(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands : LossOperands<B> {
  using T = typename B::Element;
  const T* dloss;  // the gradient reaching the loss, a scalar
  T* dvalues;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : LossOperands<B>(n, b, g.forward_input(0), g.forward_input(1), g.forward_input(2)),
        dloss(b.f(g.output_grad(0))),
        dvalues(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::sigmoid_cross_entropy
