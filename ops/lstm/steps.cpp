// The LSTM stack bound to the host backends. Operands: see lower.cpp. The forward and backward
// steps of one layer share a kernel object, which keeps what backpropagation through time needs.
#include <fmt/format.h>

#include <optional>
#include <type_traits>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/dropout/cpu.h"
#include "ops/lstm/cpu.h"
#include "ops/lstm/dropout_keep.h"
#include "ops/lstm/operands.h"
#include "ops/lstm/reference.h"

namespace ynet::ops::lstm {

namespace {

// The inverted-dropout scales between layers for this step, or nothing outside training. In float
// the dropout op's vectorised kernel draws them (the same mask as fill_dropout_keep's, faster).
template <class T>
struct DropoutKeep {
  DropoutKeep(const ir::Node& n, const LstmShape& s)
      : rate(ir::attr_bool(n.attrs, "training", false) ? ir::attr_double(n.attrs, "dropout", 0.0) : 0.0),
        stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))) {
    if (rate > 0) keep.resize(static_cast<size_t>(s.layers * s.batch * s.time * s.hidden));
    if constexpr (std::is_same_v<T, float>)
      if (rate > 0) mask.emplace(keep.size(), rate);
  }
  const T* fill(const runtime::StepContext& ctx) {
    if (keep.empty()) return nullptr;
    const dropout::philox::MaskKey key{ctx.seed, static_cast<uint64_t>(ctx.step), stream};
    if constexpr (std::is_same_v<T, float>) {
      mask->keep_mask(key, keep.data());
    } else {
      fill_dropout_keep<T>(key, rate, static_cast<int64_t>(keep.size()), keep.data());
    }
    return keep.data();
  }
  double rate;
  uint32_t stream;
  std::vector<T> keep;
  std::optional<dropout::cpu::Kernel> mask;
};

template <class T>
std::vector<LayerParams<T>> params_of(const std::vector<int>& operands, size_t first, int64_t layers,
                                      runtime::Buffers<T>& b) {
  std::vector<LayerParams<T>> p;
  for (int64_t l = 0; l < layers; ++l) {
    const size_t i = first + static_cast<size_t>(3 * l);
    p.push_back({b.f(operands.at(i)), b.f(operands.at(i + 1)), b.f(operands.at(i + 2))});
  }
  return p;
}

template <class T, class Kernel>
std::vector<LayerGrads<T>> grads_of(const runtime::GradOperands& g, int64_t layers, runtime::Buffers<T>& b) {
  std::vector<LayerGrads<T>> out;
  for (int64_t l = 0; l < layers; ++l) {
    const size_t i = 2 + static_cast<size_t>(3 * l);
    out.push_back({b.f(g.input_grad(i)), b.f(g.input_grad(i + 1)), b.f(g.input_grad(i + 2))});
  }
  return out;
}


}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const LstmShape s = shape_of(n, b.plan().graph, n.inputs[0]);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    auto keep = std::make_shared<DropoutKeep<double>>(n, s);
    const auto params = params_of(n.inputs, 2, s.layers, b);
    const double* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    double* y = b.f(n.outputs[0]);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      kernel->forward(params, x, lengths, keep->fill(ctx), y);
    });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const LstmShape s = shape_of(n, b.plan().graph, g.forward_input(0));
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    std::vector<int> forward_inputs;
    for (size_t i = 0; i < 2 + static_cast<size_t>(3 * s.layers); ++i) forward_inputs.push_back(g.forward_input(i));
    const auto params = params_of(forward_inputs, 2, s.layers, b);
    const auto grads = grads_of<double, reference::Kernel>(g, s.layers, b);
    std::shared_ptr<std::vector<double>> scratch;
    double* dx = runtime::input_grad_or_scratch(g, s.batch * s.time * s.input, b, scratch);
    const double* dy = b.f(g.output_grad(0));
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(params, dy, dx, grads); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const LstmShape s = shape_of(n, b.plan().graph, n.inputs[0]);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    auto keep = std::make_shared<DropoutKeep<float>>(n, s);
    const auto params = params_of(n.inputs, 2, s.layers, b);
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs[1]);
    float* y = b.f(n.outputs[0]);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      // The parameters change every step; the kernel reorders them into its primitives' layouts.
      kernel->sync_params(params, *stream);
      kernel->forward(x, lengths, keep->fill(ctx), y, *stream);
    });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const LstmShape s = shape_of(n, b.plan().graph, g.forward_input(0));
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    const auto grads = grads_of<float, cpu::Kernel>(g, s.layers, b);
    std::shared_ptr<std::vector<float>> scratch;
    float* dx = runtime::input_grad_or_scratch(g, s.batch * s.time * s.input, b, scratch);
    const float* dy = b.f(g.output_grad(0));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(dy, dx, grads, *stream); });
  };
}

}  // namespace ynet::ops::lstm
