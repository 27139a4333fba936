// SigmoidCrossEntropy bound to the host backends. Operands: see lower.cpp. `on: logits` runs the
// stable kernel of this folder; `on: probabilities` (the MoE classifier's output) runs the starter
// code's cross-entropy on probabilities (moe_classifier/probability_loss.h). The backward step scales
// by the gradient reaching the loss, read when the step runs.
#include <memory>
#include <stdexcept>
#include <vector>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/moe_classifier/probability_loss.h"
#include "ops/sigmoid_cross_entropy/cpu.h"
#include "ops/sigmoid_cross_entropy/reference.h"

namespace ynet::ops::sigmoid_cross_entropy {
namespace {

CrossEntropyShape shape_of(const ir::Value& logits) {
  if (logits.shape.size() != 2) throw std::invalid_argument("SigmoidCrossEntropy takes [batch, classes] inputs");
  return {static_cast<size_t>(logits.shape[0]), static_cast<size_t>(logits.shape[1])};
}

bool on_probabilities(const ir::Node& n) {
  const std::string on = ir::attr_string(n.attrs, "on", "logits");
  if (on != "logits" && on != "probabilities")
    throw std::invalid_argument("SigmoidCrossEntropy is on logits or probabilities, not '" + on + "'");
  return on == "probabilities";
}

template <class T>
struct LossBuffers {
  CrossEntropyShape shape;
  bool probabilities;
  const T *input, *labels, *class_weights;
};

template <class T>
LossBuffers<T> loss_buffers(const ir::Node& n, runtime::Buffers<T>& b, int input, int labels, int class_weights) {
  if (input < 0 || labels < 0) throw std::invalid_argument("SigmoidCrossEntropy needs its input and the labels");
  return {shape_of(b.value(input)), on_probabilities(n), b.f(input), b.f(labels), b.f(class_weights)};
}

// The starter's loss on probabilities, one video per thread: each row is summed by one thread and
// the rows are added in order, so the loss does not depend on the thread count.
float probability_loss_forward(const LossBuffers<float>& o, double* row_sums) {
  const auto batch = static_cast<int64_t>(o.shape.batch);
  const auto classes = static_cast<int64_t>(o.shape.classes);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < batch; ++r)
    row_sums[r] = moe_classifier::probability_loss::forward(1, classes, o.input + r * classes, o.labels + r * classes,
                                                            o.class_weights);
  double total = 0;
  for (int64_t r = 0; r < batch; ++r) total += row_sums[r];
  return static_cast<float>(total / static_cast<double>(batch));
}

void probability_loss_backward(const LossBuffers<float>& o, double dloss, float* dinput) {
  const auto batch = static_cast<int64_t>(o.shape.batch);
  const auto classes = static_cast<int64_t>(o.shape.classes);
  // A one-row call averages over one video; the batch mean goes into the upstream gradient.
  const double per_row = dloss / static_cast<double>(batch);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < batch; ++r)
    moe_classifier::probability_loss::backward(1, classes, o.input + r * classes, o.labels + r * classes,
                                               o.class_weights, per_row, dinput + r * classes);
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const LossBuffers<double> o = loss_buffers(n, b, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2));
    double* loss = b.f(n.outputs.at(0));
    return runtime::make_step([o, loss](const runtime::StepContext&) {
      *loss = o.probabilities ? moe_classifier::probability_loss::forward(static_cast<int64_t>(o.shape.batch),
                                                                          static_cast<int64_t>(o.shape.classes),
                                                                          o.input, o.labels, o.class_weights)
                              : reference::forward(o.shape, o.input, o.labels, o.class_weights);
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const LossBuffers<double> o = loss_buffers(n, b, g.forward_input(0), g.forward_input(1), g.forward_input(2));
    const double* dloss = b.f(g.output_grad(0));
    double* dinput = b.f(g.input_grad(0));
    return runtime::make_step([o, dloss, dinput](const runtime::StepContext&) {
      if (o.probabilities)
        moe_classifier::probability_loss::backward(static_cast<int64_t>(o.shape.batch),
                                                   static_cast<int64_t>(o.shape.classes), o.input, o.labels,
                                                   o.class_weights, *dloss, dinput);
      else
        reference::backward(o.shape, o.input, o.labels, o.class_weights, *dloss, dinput);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n,
                                    runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    const LossBuffers<float> o = loss_buffers(n, b, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2));
    float* loss = b.f(n.outputs.at(0));
    if (o.probabilities) {
      auto row_sums = std::make_shared<std::vector<double>>(o.shape.batch);
      return runtime::make_step(
          [o, row_sums, loss](const runtime::StepContext&) { *loss = probability_loss_forward(o, row_sums->data()); });
    }
    auto kernel = std::make_shared<cpu::Kernel>(o.shape);
    auto workspace = std::make_shared<std::vector<double>>(kernel->workspace_bytes() / sizeof(double) + 1);
    return runtime::make_step([o, kernel, workspace, loss](const runtime::StepContext&) {
      kernel->forward(o.input, o.labels, o.class_weights, loss, workspace->data());
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n,
                                         runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    const runtime::GradOperands g(n);
    const LossBuffers<float> o = loss_buffers(n, b, g.forward_input(0), g.forward_input(1), g.forward_input(2));
    const float* dloss = b.f(g.output_grad(0));
    float* dinput = b.f(g.input_grad(0));
    if (o.probabilities)
      return runtime::make_step(
          [o, dloss, dinput](const runtime::StepContext&) { probability_loss_backward(o, *dloss, dinput); });
    auto kernel = std::make_shared<cpu::Kernel>(o.shape);
    return runtime::make_step([o, kernel, dloss, dinput](const runtime::StepContext&) {
      kernel->backward(o.input, o.labels, o.class_weights, *dloss, dinput);
    });
  };
}

}  // namespace ynet::ops::sigmoid_cross_entropy
