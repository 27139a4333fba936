// The MoE layer bound to the CUDA backend. Operands: see lower.cpp. The forward and backward steps
// share one kernel (cuda.h), which keeps the gating and the experts' activations for backward.
#include <sstream>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/moe/cuda.h"
#include "ops/moe/operands.h"

namespace ynet::ops::moe {

namespace {

Params<float> params_of(const std::vector<int>& operands, const MoeShape& s, runtime::cuda::DeviceBuffers& b) {
  Params<float> p;
  p.gate = b.f(operands.at(2));
  p.noise = b.f(operands.at(3));
  for (int64_t j = 0; j < s.layers(); ++j) {
    p.weights.push_back(b.f(operands.at(kFirstExpertOperand + 2 * static_cast<size_t>(j))));
    p.biases.push_back(b.f(operands.at(kFirstExpertOperand + 2 * static_cast<size_t>(j) + 1)));
  }
  return p;
}

std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, const MoeShape& s, runtime::cuda::DeviceBuffers& b) {
  const bool training = ir::attr_bool(n.attrs, "training", false);
  const auto stream = static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0));
  return b.shared<cuda::Kernel>(runtime::layer_key(n),
                                [&] { return std::make_shared<cuda::Kernel>(s, training, stream, b); });
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["MoE"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const MoeShape s = shape_of(n, b.plan().graph, n.inputs);
    auto kernel = kernel_of(n, s, b);
    const Params<float> p = params_of(n.inputs, s, b);
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    float* y = b.f(n.outputs.at(0));
    float* aux = b.f(n.outputs.at(1));
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { kernel->forward(p, x, lengths, y, aux, ctx); });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    std::vector<int> inputs;
    const auto count = static_cast<size_t>(ir::attr_int(n.attrs, "forward_inputs", 0));
    for (size_t i = 0; i < count; ++i) inputs.push_back(g.forward_input(i));
    const MoeShape s = shape_of(n, b.plan().graph, inputs);
    auto kernel = kernel_of(n, s, b);
    kernel->plan_backward(g.input_grad(0) >= 0, b);
    const Params<float> p = params_of(inputs, s, b);
    Grads<float> grads;
    grads.gate = b.f(g.input_grad(2));
    grads.noise = b.f(g.input_grad(3));
    for (int64_t j = 0; j < s.layers(); ++j) {
      grads.weights.push_back(b.f(g.input_grad(kFirstExpertOperand + 2 * static_cast<size_t>(j))));
      grads.biases.push_back(b.f(g.input_grad(kFirstExpertOperand + 2 * static_cast<size_t>(j) + 1)));
    }
    const float* dy = b.f(g.output_grad(0));
    const float* d_aux = b.f(g.output_grad(1));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(p, dy, d_aux, dx, grads); });
  };
}

}  // namespace ynet::ops::moe
