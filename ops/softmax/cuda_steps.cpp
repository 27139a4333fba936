// Softmax bound to the CUDA backend; its operands are read in operands.h.
#include "ops/softmax/cuda.h"
#include "ops/softmax/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::softmax {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Softmax"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::forward(o.shape, o.x, o.lengths, o.y, stream); });
  };
  table["Softmax.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::backward(o.shape, o.y, o.dy, o.dx, stream); });
  };
}

}  // namespace ynet::ops::softmax
