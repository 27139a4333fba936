// The LSTM stack bound to the CUDA backend; its operands are read in operands.h. The forward and
// backward steps of one layer share a kernel (cuda.h), which keeps what backpropagation through time
// needs.
#include "ops/lstm/cuda.h"
#include "ops/lstm/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::lstm {

namespace {

std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, const StackOperands<runtime::cuda::DeviceBuffers>& o,
                                        runtime::cuda::DeviceBuffers& b) {
  return b.shared<cuda::Kernel>(runtime::layer_key(n), [&] {
    return std::make_shared<cuda::Kernel>(o.shape, o.training, o.dropout, o.rng_stream, o.host_lengths, b);
  });
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { kernel->forward(o.params, o.x, o.lengths, o.y, ctx); });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    auto kernel = kernel_of(n, o, b);
    kernel->plan_backward(o.dx != nullptr, b);
    return runtime::make_step([=](const runtime::StepContext& ctx) { kernel->backward(o.dy, o.dx, o.grads, ctx); });
  };
}

}  // namespace ynet::ops::lstm
