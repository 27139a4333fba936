// The MoE layer bound to the host backends. Operands: see lower.cpp. The forward and backward steps
// share one kernel, which keeps the gating and the expert activations for backpropagation.
#include <sstream>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/moe/cpu.h"
#include "ops/moe/gating_noise.h"
#include "ops/moe/operands.h"
#include "ops/moe/reference.h"

namespace ynet::ops::moe {

namespace {

template <class T>
Params<T> params_of(const std::vector<int>& operands, const MoeShape& s, runtime::Buffers<T>& b) {
  Params<T> p;
  p.gate = b.f(operands.at(2));
  p.noise = b.f(operands.at(3));
  for (int64_t j = 0; j < s.layers(); ++j) {
    p.weights.push_back(b.f(operands.at(kFirstExpertOperand + 2 * static_cast<size_t>(j))));
    p.biases.push_back(b.f(operands.at(kFirstExpertOperand + 2 * static_cast<size_t>(j) + 1)));
  }
  return p;
}

template <class T>
Grads<T> grads_of(const runtime::GradOperands& g, const MoeShape& s, runtime::Buffers<T>& b) {
  Grads<T> out;
  out.gate = b.f(g.input_grad(2));
  out.noise = b.f(g.input_grad(3));
  for (int64_t j = 0; j < s.layers(); ++j) {
    out.weights.push_back(b.f(g.input_grad(kFirstExpertOperand + 2 * static_cast<size_t>(j))));
    out.biases.push_back(b.f(g.input_grad(kFirstExpertOperand + 2 * static_cast<size_t>(j) + 1)));
  }
  return out;
}

std::vector<int> forward_inputs(const runtime::GradOperands& g, const ir::Node& n) {
  std::vector<int> out;
  const auto count = static_cast<size_t>(ir::attr_int(n.attrs, "forward_inputs", 0));
  for (size_t i = 0; i < count; ++i) out.push_back(g.forward_input(i));
  return out;
}

// Standard-normal gating noise for this step (training with noisy gating), else nothing.
template <class T>
struct GatingNoise {
  GatingNoise(const ir::Node& n, const MoeShape& s)
      : stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))) {
    if (s.noisy && ir::attr_bool(n.attrs, "training", false)) eps.resize(static_cast<size_t>(s.rows() * s.experts));
  }
  const T* fill(const runtime::StepContext& ctx) {
    if (eps.empty()) return nullptr;
    fill_gating_noise<T>({ctx.seed, static_cast<uint64_t>(ctx.step), stream}, static_cast<int64_t>(eps.size()), eps.data());
    return eps.data();
  }
  uint32_t stream;
  std::vector<T> eps;
};


}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["MoE"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const MoeShape s = shape_of(n, b.plan().graph, n.inputs);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    auto noise = std::make_shared<GatingNoise<double>>(n, s);
    const Params<double> p = params_of(n.inputs, s, b);
    const double* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    double* y = b.f(n.outputs[0]);
    double* aux = b.f(n.outputs[1]);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      *aux = kernel->forward(p, x, lengths, noise->fill(ctx), y).total();
    });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const std::vector<int> inputs = forward_inputs(g, n);
    const MoeShape s = shape_of(n, b.plan().graph, inputs);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    const Params<double> p = params_of(inputs, s, b);
    const Grads<double> grads = grads_of(g, s, b);
    std::shared_ptr<std::vector<double>> scratch;
    double* dx = runtime::input_grad_or_scratch(g, s.rows() * s.input, b, scratch);
    const double* dy = b.f(g.output_grad(0));
    const double* d_aux = b.f(g.output_grad(1));
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) {
      kernel->backward(p, dy, d_aux ? *d_aux : 0.0, dx, grads);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["MoE"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const MoeShape s = shape_of(n, b.plan().graph, n.inputs);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    auto noise = std::make_shared<GatingNoise<float>>(n, s);
    const Params<float> p = params_of(n.inputs, s, b);
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    float* y = b.f(n.outputs[0]);
    float* aux = b.f(n.outputs[1]);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      *aux = static_cast<float>(kernel->forward(p, x, lengths, noise->fill(ctx), y, *stream).total());
    });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const std::vector<int> inputs = forward_inputs(g, n);
    const MoeShape s = shape_of(n, b.plan().graph, inputs);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    const Params<float> p = params_of(inputs, s, b);
    const Grads<float> grads = grads_of(g, s, b);
    std::shared_ptr<std::vector<float>> scratch;
    float* dx = runtime::input_grad_or_scratch(g, s.rows() * s.input, b, scratch);
    const float* dy = b.f(g.output_grad(0));
    const float* d_aux = b.f(g.output_grad(1));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) {
      kernel->backward(p, dy, d_aux ? *d_aux : 0.0f, dx, grads, *stream);
    });
  };
}

}  // namespace ynet::ops::moe
