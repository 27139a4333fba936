// SigmoidCrossEntropy bound to the host backends; its operands are read in operands.h. `on: logits`
// runs the stable kernel of this folder; `on: probabilities` (the MoE classifier's output) runs the
// starter code's cross-entropy on probabilities (moe_classifier/probability_loss.h). The backward
// step scales by the gradient reaching the loss, read when the step runs.
#include <memory>
#include <vector>

#include "ops/moe_classifier/probability_loss.h"
#include "ops/op.h"
#include "ops/sigmoid_cross_entropy/cpu.h"
#include "ops/sigmoid_cross_entropy/operands.h"
#include "ops/sigmoid_cross_entropy/reference.h"

namespace ynet::ops::sigmoid_cross_entropy {
namespace {

using CpuLoss = LossOperands<runtime::Buffers<float>>;

// The starter's loss on probabilities, one video per thread: each row is summed by one thread and
// the rows are added in order, so the loss does not depend on the thread count.
float probability_loss_forward(const CpuLoss& o, double* row_sums) {
  const auto batch = static_cast<int64_t>(o.shape.batch);
  const auto classes = static_cast<int64_t>(o.shape.classes);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < batch; ++r)
    row_sums[r] = moe_classifier::probability_loss::forward(1, classes, o.values + r * classes, o.labels + r * classes,
                                                            o.class_weights);
  double total = 0;
  for (int64_t r = 0; r < batch; ++r) total += row_sums[r];
  return static_cast<float>(total / static_cast<double>(batch));
}

void probability_loss_backward(const CpuLoss& o, double dloss, float* dvalues) {
  const auto batch = static_cast<int64_t>(o.shape.batch);
  const auto classes = static_cast<int64_t>(o.shape.classes);
  // A one-row call averages over one video; the batch mean goes into the upstream gradient.
  const double per_row = dloss / static_cast<double>(batch);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < batch; ++r)
    moe_classifier::probability_loss::backward(1, classes, o.values + r * classes, o.labels + r * classes,
                                               o.class_weights, per_row, dvalues + r * classes);
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      *o.loss = o.probabilities ? moe_classifier::probability_loss::forward(static_cast<int64_t>(o.shape.batch),
                                                                            static_cast<int64_t>(o.shape.classes),
                                                                            o.values, o.labels, o.class_weights)
                                : reference::forward(o.shape, o.values, o.labels, o.class_weights);
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      if (o.probabilities)
        moe_classifier::probability_loss::backward(static_cast<int64_t>(o.shape.batch),
                                                   static_cast<int64_t>(o.shape.classes), o.values, o.labels,
                                                   o.class_weights, *o.dloss, o.dvalues);
      else
        reference::backward(o.shape, o.values, o.labels, o.class_weights, *o.dloss, o.dvalues);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n,
                                    runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    const ForwardOperands o(n, b);
    if (o.probabilities) {
      auto row_sums = std::make_shared<std::vector<double>>(o.shape.batch);
      return runtime::make_step(
          [=](const runtime::StepContext&) { *o.loss = probability_loss_forward(o, row_sums->data()); });
    }
    auto kernel = std::make_shared<cpu::Kernel>(o.shape);
    auto workspace = std::make_shared<std::vector<double>>(kernel->workspace_bytes() / sizeof(double) + 1);
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->forward(o.values, o.labels, o.class_weights, o.loss, workspace->data());
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n,
                                         runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    const BackwardOperands o(n, b);
    if (o.probabilities)
      return runtime::make_step(
          [=](const runtime::StepContext&) { probability_loss_backward(o, *o.dloss, o.dvalues); });
    auto kernel = std::make_shared<cpu::Kernel>(o.shape);
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->backward(o.values, o.labels, o.class_weights, *o.dloss, o.dvalues);
    });
  };
}

}  // namespace ynet::ops::sigmoid_cross_entropy
