// Multiply bound to the CUDA backend; its operands are read in operands.h.
#include "ops/multiply/cuda.h"
#include "ops/multiply/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::multiply {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Multiply"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::forward(o.shape, o.a, o.b, o.y, stream); });
  };
  table["Multiply.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::backward(o.shape, o.a, o.b, o.dy, o.da, o.db, stream); });
  };
}

}  // namespace ynet::ops::multiply
