// The video-level MoE classifier bound to the CUDA backend. Operands: see lower.cpp. The forward and
// backward steps share one kernel, which keeps the gate and expert probabilities.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/moe_classifier/cuda.h"
#include "ops/moe_classifier/operands.h"

namespace ynet::ops::moe_classifier {

namespace {

std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, runtime::cuda::DeviceBuffers& b, int x, int expert_bias) {
  const ClassifierShape s = shape_of(n, b.plan().graph, x);
  const float* bias = b.f(expert_bias);
  return b.shared<cuda::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cuda::Kernel>(s, bias, b); });
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    auto kernel = kernel_of(n, b, n.inputs.at(0), n.inputs.at(3));
    const Params<float> p{b.f(n.inputs[1]), b.f(n.inputs[2]), b.f(n.inputs[3])};
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(p, x, y); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    auto kernel = kernel_of(n, b, g.forward_input(0), g.forward_input(3));
    kernel->plan_backward(g.input_grad(0) >= 0, b);
    const Params<float> p{b.f(g.forward_input(1)), b.f(g.forward_input(2)), b.f(g.forward_input(3))};
    const Grads<float> grads{b.f(g.input_grad(1)), b.f(g.input_grad(2)), b.f(g.input_grad(3))};
    const float* x = b.f(g.forward_input(0));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(p, x, dy, dx, grads); });
  };
}

}  // namespace ynet::ops::moe_classifier
