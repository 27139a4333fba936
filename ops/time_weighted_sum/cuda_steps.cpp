// TimeWeightedSum bound to the CUDA backend; its operands are read in operands.h.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"
#include "ops/time_weighted_sum/cuda.h"
#include "ops/time_weighted_sum/operands.h"

namespace ynet::ops::time_weighted_sum {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::forward(o.shape, o.weighting, o.x, o.lengths, o.y, stream); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::backward(o.shape, o.weighting, o.lengths, o.dy, o.dx, stream); });
  };
}

}  // namespace ynet::ops::time_weighted_sum
