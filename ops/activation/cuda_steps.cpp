// Activation bound to the CUDA backend. Operands: see lower.cpp.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/activation/cuda.h"

namespace ynet::ops::activation {
namespace {

ActivationKind kind_of(const ir::Node& n) { return activation_kind(ir::attr_string(n.attrs, "kind", "none")); }

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Activation"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ActivationKind kind = kind_of(n);
    const int64_t count = b.elements(n.inputs.at(0));
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::forward(kind, x, y, count, stream); });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const ActivationKind kind = kind_of(n);
    const int64_t count = b.elements(g.forward_output(0));
    const float *y = b.f(g.forward_output(0)), *dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) { cuda::backward(kind, y, dy, dx, count, stream); });
  };
}

}  // namespace ynet::ops::activation
