// Activation bound to the CUDA backend; its operands are read in operands.h.
#include "ops/activation/cuda.h"
#include "ops/activation/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::activation {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Activation"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::forward(o.kind, o.x, o.y, static_cast<int64_t>(o.count), stream);
    });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::backward(o.kind, o.y, o.dy, o.dx, static_cast<int64_t>(o.count), stream);
    });
  };
}

}  // namespace ynet::ops::activation
