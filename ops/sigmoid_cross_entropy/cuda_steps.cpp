// SigmoidCrossEntropy bound to the CUDA backend; its operands are read in operands.h. `on:
// probabilities` is the starter code's cross-entropy on the MoE classifier's probabilities
// (probability_loss.h).
#include "ops/moe_classifier/probability_loss.h"
#include "ops/sigmoid_cross_entropy/cuda.h"
#include "ops/sigmoid_cross_entropy/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::sigmoid_cross_entropy {
namespace {

constexpr double kEpsilon = moe_classifier::probability_loss::kEpsilon;

cuda::Input input_of(const LossOperands<runtime::cuda::DeviceBuffers>& o) {
  return o.probabilities ? cuda::Input::probabilities : cuda::Input::logits;
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    const cuda::Input input = input_of(o);
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(o.shape)})[0];
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::forward(o.shape, input, kEpsilon, o.values, o.labels, o.class_weights, o.loss, workspace.as<void>(),
                    stream);
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    const cuda::Input input = input_of(o);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::backward(o.shape, input, kEpsilon, o.values, o.labels, o.class_weights, o.dloss, o.dvalues, stream);
    });
  };
}

}  // namespace ynet::ops::sigmoid_cross_entropy
