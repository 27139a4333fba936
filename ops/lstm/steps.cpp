// The LSTM stack bound to the host backends; its operands are read in operands.h. The forward and
// backward steps of one layer share a kernel object, which keeps what backpropagation through time
// needs.
#include <optional>
#include <type_traits>

#include "ops/dropout/cpu.h"
#include "ops/lstm/cpu.h"
#include "ops/lstm/dropout_keep.h"
#include "ops/lstm/operands.h"
#include "ops/lstm/reference.h"
#include "ops/op.h"

namespace ynet::ops::lstm {

namespace {

// The inverted-dropout scales between layers for this step, or nothing outside training. In float
// the dropout op's vectorised kernel draws them (the same mask as fill_dropout_keep's, faster).
template <class T>
struct DropoutKeep {
  template <class B>
  explicit DropoutKeep(const StackOperands<B>& o)
      : shape(o.shape), rate(o.training ? o.dropout : 0.0), stream(o.rng_stream) {
    const LstmShape& s = o.shape;
    if (rate > 0) keep.resize(static_cast<size_t>(s.layers * s.batch * s.time * s.hidden));
    if constexpr (std::is_same_v<T, float>)
      if (rate > 0) mask.emplace(static_cast<size_t>(s.batch * s.time * s.hidden), rate);
  }
  const T* fill(const runtime::StepContext& ctx) {
    if (keep.empty()) return nullptr;
    const dropout::philox::MaskKey key{ctx.seed, static_cast<uint64_t>(ctx.step), stream};
    const int64_t layer_elements = shape.batch * shape.time * shape.hidden;
    for (int64_t l = 0; l < shape.layers; ++l) {
      const uint64_t first = layer_first_element(ctx.slice, l, shape.batch, shape.time, shape.hidden);
      T* layer_keep = keep.data() + l * layer_elements;
      if constexpr (std::is_same_v<T, float>) {
        mask->keep_mask(key, first, layer_keep);
      } else {
        fill_dropout_keep<T>(key, rate, first, layer_elements, layer_keep);
      }
    }
    return keep.data();
  }
  LstmShape shape;
  double rate;
  uint32_t stream;
  std::vector<T> keep;
  std::optional<dropout::cpu::Kernel> mask;
};

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    auto keep = std::make_shared<DropoutKeep<double>>(o);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      kernel->forward(o.params, o.x, o.lengths, keep->fill(ctx), o.y);
    });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    BackwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.batch * o.shape.time * o.shape.input);
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(o.params, o.dy, o.dx, o.grads); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["LSTM"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    auto keep = std::make_shared<DropoutKeep<float>>(o);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      // The parameters change every step; the kernel reorders them into its primitives' layouts.
      kernel->sync_params(o.params, *stream);
      kernel->forward(o.x, o.lengths, keep->fill(ctx), o.y, *stream);
    });
  };
  table["LSTM.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    BackwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.batch * o.shape.time * o.shape.input);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(o.dy, o.dx, o.grads, *stream); });
  };
}

}  // namespace ynet::ops::lstm
