// The video-level MoE classifier bound to the CUDA backend; its operands are read in operands.h.
// The forward and backward steps share one kernel, which keeps the gate and expert probabilities.
#include "ops/moe_classifier/cuda.h"
#include "ops/moe_classifier/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::moe_classifier {

namespace {

std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, const ClassifierOperands<runtime::cuda::DeviceBuffers>& o,
                                        runtime::cuda::DeviceBuffers& b) {
  return b.shared<cuda::Kernel>(runtime::layer_key(n),
                                [&] { return std::make_shared<cuda::Kernel>(o.shape, o.params.expert_bias, b); });
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.params, o.x, o.y); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    kernel->plan_backward(o.dx != nullptr, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { kernel->backward(o.params, o.x, o.dy, o.dx, o.grads); });
  };
}

}  // namespace ynet::ops::moe_classifier
