// L2Normalize bound to the CUDA backend. Operands: see lower.cpp.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/l2_normalize/cuda.h"
#include "ops/l2_normalize/operands.h"

namespace ynet::ops::l2_normalize {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const L2NormalizeShape s = shape_of(b.value(n.inputs.at(0)));
    const double epsilon = epsilon_of(n);
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::forward(s, epsilon, x, y, stream); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const L2NormalizeShape s = shape_of(b.value(g.input_grad(0)));
    const double epsilon = epsilon_of(n);
    const float *x = b.f(g.forward_input(0)), *dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::backward(s, epsilon, x, dy, dx, stream); });
  };
}

}  // namespace ynet::ops::l2_normalize
