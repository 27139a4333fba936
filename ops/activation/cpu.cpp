#include "ops/activation/cpu.h"

#include <cstring>

namespace ynet::ops::activation::cpu {

using dnnl_call::bind;

dnnl::algorithm eltwise_algorithm(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::relu: return dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
    case ActivationKind::sigmoid: return dnnl::algorithm::eltwise_logistic_use_dst_for_bwd;
    case ActivationKind::tanh: return dnnl::algorithm::eltwise_tanh_use_dst_for_bwd;
    case ActivationKind::none: break;
  }
  return dnnl::algorithm::undef;
}

Kernel::Kernel(ActivationKind kind, std::size_t count, const dnnl::engine& engine) : kind_(kind), count_(count) {
  if (kind == ActivationKind::none) return;
  const auto desc = dnnl_call::plain_desc({static_cast<dnnl::memory::dim>(count)}, dnnl::memory::format_tag::a);
  x_ = dnnl_call::unbound_memory(desc, engine);
  y_ = dnnl_call::unbound_memory(desc, engine);
  dy_ = dnnl_call::unbound_memory(desc, engine);
  dx_ = dnnl_call::unbound_memory(desc, engine);
  const auto algorithm = eltwise_algorithm(kind);
  const dnnl::eltwise_forward::primitive_desc forward_pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, algorithm, desc, 0.f, 0.f), engine);
  const dnnl::eltwise_backward::primitive_desc backward_pd(
      dnnl::eltwise_backward::desc(algorithm, desc, desc, 0.f, 0.f), engine, forward_pd);
  forward_ = dnnl_call::Call(dnnl::eltwise_forward(forward_pd), {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DST, y_}});
  backward_ = dnnl_call::Call(dnnl::eltwise_backward(backward_pd),
                              {{DNNL_ARG_DST, y_}, {DNNL_ARG_DIFF_DST, dy_}, {DNNL_ARG_DIFF_SRC, dx_}});
}

void Kernel::forward(const float* x, float* y, const dnnl::stream& stream) const {
  if (kind_ == ActivationKind::none) {
    if (x != y) std::memmove(y, x, count_ * sizeof(float));
    return;
  }
  bind(x_, x);
  bind(y_, y);
  forward_.execute(stream);
}

void Kernel::backward(const float* y, const float* dy, float* dx, const dnnl::stream& stream) const {
  if (kind_ == ActivationKind::none) {
    if (dy != dx) std::memmove(dx, dy, count_ * sizeof(float));
    return;
  }
  bind(y_, y);
  bind(dy_, dy);
  bind(dx_, dx);
  backward_.execute(stream);
}

}  // namespace ynet::ops::activation::cpu
