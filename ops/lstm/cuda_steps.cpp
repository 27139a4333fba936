// The LSTM stack bound to the CUDA backend. Operands: see lower.cpp. The forward and backward steps
// of one layer share a kernel (cuda.h), which keeps what backpropagation through time needs.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/lstm/cuda.h"
#include "ops/lstm/operands.h"

namespace ynet::ops::lstm {

namespace {

// `operands`: the forward step's inputs (x, lengths, then three parameters per layer).
std::shared_ptr<cuda::Kernel> kernel_of(const ir::Node& n, runtime::cuda::DeviceBuffers& b,
                                        const std::vector<int>& operands) {
  const LstmShape s = shape_of(n, b.plan().graph, operands.at(0));
  const bool training = ir::attr_bool(n.attrs, "training", false);
  const double dropout = ir::attr_double(n.attrs, "dropout", 0.0);
  const auto stream = static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0));
  const int32_t* host_lengths = b.host_ints(operands.at(1));
  return b.shared<cuda::Kernel>(runtime::layer_key(n), [&] {
    return std::make_shared<cuda::Kernel>(s, training, dropout, stream, host_lengths, b);
  });
}

std::vector<LayerParams<float>> params_of(const std::vector<int>& operands, int64_t layers,
                                          runtime::cuda::DeviceBuffers& b) {
  std::vector<LayerParams<float>> p;
  for (int64_t l = 0; l < layers; ++l) {
    const size_t i = 2 + static_cast<size_t>(3 * l);
    p.push_back({b.f(operands.at(i)), b.f(operands.at(i + 1)), b.f(operands.at(i + 2))});
  }
  return p;
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    auto kernel = kernel_of(n, b, n.inputs);
    const auto params = params_of(n.inputs, ir::attr_int(n.attrs, "layers", 1), b);
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { kernel->forward(params, x, lengths, y, ctx); });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const int64_t layers = ir::attr_int(n.attrs, "layers", 1);
    std::vector<int> forward_inputs;
    for (size_t i = 0; i < 2 + static_cast<size_t>(3 * layers); ++i) forward_inputs.push_back(g.forward_input(i));
    auto kernel = kernel_of(n, b, forward_inputs);
    kernel->plan_backward(g.input_grad(0) >= 0, b);
    std::vector<LayerGrads<float>> grads;
    for (int64_t l = 0; l < layers; ++l) {
      const size_t i = 2 + static_cast<size_t>(3 * l);
      grads.push_back({b.f(g.input_grad(i)), b.f(g.input_grad(i + 1)), b.f(g.input_grad(i + 2))});
    }
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext& ctx) { kernel->backward(dy, dx, grads, ctx); });
  };
}

}  // namespace ynet::ops::lstm
