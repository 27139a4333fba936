// The MoE layer bound to the CUDA backend; its operands are read in operands.h. The forward and
// backward steps share one kernel (cuda.h), which keeps the gating and the experts' activations for
// backward.
#include "ops/moe/cuda.h"
#include "ops/moe/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::moe {

namespace {

std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, const LayerOperands<runtime::cuda::DeviceBuffers>& o,
                                        runtime::cuda::DeviceBuffers& b) {
  return b.shared<cuda::Kernel>(runtime::layer_key(n),
                                [&] { return std::make_shared<cuda::Kernel>(o.shape, o.training, o.rng_stream, b); });
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["MoE"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { kernel->forward(o.params, o.x, o.lengths, o.y, o.aux, ctx); });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    kernel->plan_backward(o.dx != nullptr, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { kernel->backward(o.params, o.dy, o.d_aux, o.dx, o.grads); });
  };
}

}  // namespace ynet::ops::moe
