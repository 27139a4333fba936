// L2Normalize bound to the CUDA backend; its operands are read in operands.h.
#include "ops/l2_normalize/cuda.h"
#include "ops/l2_normalize/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::l2_normalize {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::forward(o.shape, o.epsilon, o.x, o.y, stream); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::backward(o.shape, o.epsilon, o.x, o.dy, o.dx, stream); });
  };
}

}  // namespace ynet::ops::l2_normalize
