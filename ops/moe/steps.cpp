// The MoE layer bound to the host backends; its operands are read in operands.h. The forward and
// backward steps share one kernel, which keeps the gating and the expert activations for
// backpropagation.
#include "ops/moe/cpu.h"
#include "ops/moe/gating_noise.h"
#include "ops/moe/operands.h"
#include "ops/moe/reference.h"
#include "ops/op.h"

namespace ynet::ops::moe {

namespace {

// Standard-normal gating noise for this step (training with noisy gating), else nothing.
template <class T>
struct GatingNoise {
  template <class B>
  explicit GatingNoise(const LayerOperands<B>& o) : row_samples(o.shape.time * o.shape.experts), stream(o.rng_stream) {
    if (o.shape.noisy && o.training) eps.resize(static_cast<size_t>(o.shape.rows() * o.shape.experts));
  }
  const T* fill(const runtime::StepContext& ctx) {
    if (eps.empty()) return nullptr;
    fill_gating_noise<T>({ctx.seed, static_cast<uint64_t>(ctx.step), stream},
                         static_cast<uint64_t>(ctx.slice.first_element(row_samples)), static_cast<int64_t>(eps.size()),
                         eps.data());
    return eps.data();
  }
  int64_t row_samples;  // per batch row: time x experts
  uint32_t stream;
  std::vector<T> eps;
};

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["MoE"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    auto noise = std::make_shared<GatingNoise<double>>(o);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      *o.aux = kernel->forward(o.params, o.x, o.lengths, noise->fill(ctx), o.y, ctx.slice).total();
    });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    BackwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.rows() * o.shape.input);
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) {
      kernel->backward(o.params, o.dy, o.d_aux ? *o.d_aux : 0.0, o.dx, o.grads);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["MoE"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    auto noise = std::make_shared<GatingNoise<float>>(o);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      *o.aux = static_cast<float>(
          kernel->forward(o.params, o.x, o.lengths, noise->fill(ctx), o.y, ctx.slice, *stream).total());
    });
  };
  table["MoE.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    BackwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.rows() * o.shape.input);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) {
      kernel->backward(o.params, o.dy, o.d_aux ? *o.d_aux : 0.0f, o.dx, o.grads, *stream);
    });
  };
}

}  // namespace ynet::ops::moe
