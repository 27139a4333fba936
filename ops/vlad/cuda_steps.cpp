// VladAggregate bound to the CUDA backend; its operands are read in operands.h.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"
#include "ops/vlad/cuda.h"
#include "ops/vlad/operands.h"

namespace ynet::ops::vlad {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["VladAggregate"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cuda::Kernel>(o.shape, b);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.a, o.x, o.centres, o.v); });
  };
  table["VladAggregate.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cuda::Kernel>(o.shape, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->backward(o.a, o.x, o.centres, o.dv, o.da, o.dx, o.dcentres);
    });
  };
}

}  // namespace ynet::ops::vlad
