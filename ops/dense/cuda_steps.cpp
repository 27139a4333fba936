// Dense bound to the CUDA backend; its operands are read in operands.h. There is no int8 form on
// the GPU (the op list test and the CUDA backend's bind say so).
#include "ops/dense/cuda.h"
#include "ops/dense/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::dense {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Dense"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cuda::Forward>(o.shape, o.activation, o.bias, b);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->run(o.x, o.w, o.y); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cuda::Backward>(o.shape, o.activation, o.dx != nullptr, b);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->run(o.x, o.w, o.y, o.dy, o.dx, o.dw, o.db); });
  };
}

}  // namespace ynet::ops::dense
