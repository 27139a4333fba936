// TimeWeightedSum bound to the CUDA backend. Operands: see lower.cpp.
#include <stdexcept>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/time_weighted_sum/cuda.h"
#include "ops/time_weighted_sum/operands.h"

namespace ynet::ops::time_weighted_sum {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const TimeWeightedSumShape s = shape_of(n, b.value(n.inputs.at(0)));
    const Weighting w = weighting_of(n);
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs.at(1));
    float* y = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::forward(s, w, x, lengths, y, stream); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const TimeWeightedSumShape s = shape_of(n, b.value(g.input_grad(0)));
    const Weighting w = weighting_of(n);
    const int32_t* lengths = b.i(g.forward_input(1));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::backward(s, w, lengths, dy, dx, stream); });
  };
}

}  // namespace ynet::ops::time_weighted_sum
