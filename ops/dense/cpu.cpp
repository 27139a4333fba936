#include "ops/dense/cpu.h"

#include "ops/activation/cpu.h"

namespace ynet::ops::dense::cpu {

using dnnl_call::bind;
using dnnl_call::plain_desc;
using dnnl_call::unbound_memory;
using tag = dnnl::memory::format_tag;

namespace {

// Forward post-ops take the plain algorithms; the *_use_dst_for_bwd variants are for backward.
dnnl::algorithm post_op_algorithm(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::relu: return dnnl::algorithm::eltwise_relu;
    case ActivationKind::sigmoid: return dnnl::algorithm::eltwise_logistic;
    case ActivationKind::tanh: return dnnl::algorithm::eltwise_tanh;
    case ActivationKind::none: break;
  }
  return dnnl::algorithm::undef;
}

}  // namespace

Kernel::Kernel(const DenseShape& shape, ActivationKind activation, const dnnl::engine& engine)
    : shape_(shape), activation_(activation) {
  const auto rows = static_cast<dnnl::memory::dim>(shape.rows);
  const auto inputs = static_cast<dnnl::memory::dim>(shape.inputs);
  const auto outputs = static_cast<dnnl::memory::dim>(shape.outputs);
  const auto x_desc = plain_desc({rows, inputs}, tag::nc);
  const auto w_desc = plain_desc({outputs, inputs}, tag::io);
  const auto b_desc = plain_desc({outputs}, tag::a);
  const auto y_desc = plain_desc({rows, outputs}, tag::nc);
  x_ = unbound_memory(x_desc, engine);
  w_ = unbound_memory(w_desc, engine);
  b_ = unbound_memory(b_desc, engine);
  y_ = unbound_memory(y_desc, engine);
  dy_ = unbound_memory(y_desc, engine);
  dz_ = unbound_memory(y_desc, engine);
  dx_ = unbound_memory(x_desc, engine);
  dw_ = unbound_memory(w_desc, engine);
  db_ = unbound_memory(b_desc, engine);

  dnnl::primitive_attr attr;
  if (activation != ActivationKind::none) {
    dnnl::post_ops post_ops;
    post_ops.append_eltwise(1.f, post_op_algorithm(activation), 0.f, 0.f);
    attr.set_post_ops(post_ops);
  }
  const auto forward_desc =
      shape.has_bias
          ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, x_desc, w_desc, b_desc, y_desc)
          : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, x_desc, w_desc, y_desc);
  const dnnl::inner_product_forward::primitive_desc forward_pd(forward_desc, attr, engine);
  const dnnl::inner_product_backward_data::primitive_desc backward_data_pd(
      dnnl::inner_product_backward_data::desc(x_desc, w_desc, y_desc), engine, forward_pd);
  const auto backward_weights_desc = shape.has_bias
                                         ? dnnl::inner_product_backward_weights::desc(x_desc, w_desc, b_desc, y_desc)
                                         : dnnl::inner_product_backward_weights::desc(x_desc, w_desc, y_desc);
  const dnnl::inner_product_backward_weights::primitive_desc backward_weights_pd(backward_weights_desc, engine,
                                                                                forward_pd);

  if (shape.has_bias) {
    forward_ = dnnl_call::Call(dnnl::inner_product_forward(forward_pd),
                               {{DNNL_ARG_SRC, x_}, {DNNL_ARG_WEIGHTS, w_}, {DNNL_ARG_BIAS, b_}, {DNNL_ARG_DST, y_}});
    backward_weights_ = dnnl_call::Call(
        dnnl::inner_product_backward_weights(backward_weights_pd),
        {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DIFF_DST, dz_}, {DNNL_ARG_DIFF_WEIGHTS, dw_}, {DNNL_ARG_DIFF_BIAS, db_}});
  } else {
    forward_ = dnnl_call::Call(dnnl::inner_product_forward(forward_pd),
                               {{DNNL_ARG_SRC, x_}, {DNNL_ARG_WEIGHTS, w_}, {DNNL_ARG_DST, y_}});
    backward_weights_ = dnnl_call::Call(dnnl::inner_product_backward_weights(backward_weights_pd),
                                        {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DIFF_DST, dz_}, {DNNL_ARG_DIFF_WEIGHTS, dw_}});
  }
  backward_data_ = dnnl_call::Call(dnnl::inner_product_backward_data(backward_data_pd),
                                   {{DNNL_ARG_DIFF_DST, dz_}, {DNNL_ARG_WEIGHTS, w_}, {DNNL_ARG_DIFF_SRC, dx_}});

  if (activation != ActivationKind::none) {
    const auto algorithm = activation::cpu::eltwise_algorithm(activation);
    const dnnl::eltwise_forward::primitive_desc hint_pd(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, algorithm, y_desc, 0.f, 0.f), engine);
    const dnnl::eltwise_backward::primitive_desc activation_backward_pd(
        dnnl::eltwise_backward::desc(algorithm, y_desc, y_desc, 0.f, 0.f), engine, hint_pd);
    activation_backward_ = dnnl_call::Call(dnnl::eltwise_backward(activation_backward_pd),
                                           {{DNNL_ARG_DST, y_}, {DNNL_ARG_DIFF_DST, dy_}, {DNNL_ARG_DIFF_SRC, dz_}});
  }
}

std::size_t Kernel::workspace_bytes() const {
  return activation_ == ActivationKind::none ? 0 : shape_.rows * shape_.outputs * sizeof(float);
}

void Kernel::forward(const float* x, const float* w, const float* b, float* y, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(w_, w);
  if (shape_.has_bias) bind(b_, b);
  bind(y_, y);
  forward_.execute(stream);
}

void Kernel::backward(const float* x, const float* w, const float* y, const float* dy, float* dx, float* dw,
                      float* db, float* workspace, const dnnl::stream& stream) const {
  if (activation_ == ActivationKind::none) {
    bind(dz_, dy);
  } else {
    bind(y_, y);
    bind(dy_, dy);
    bind(dz_, workspace);
    activation_backward_.execute(stream);
  }
  if (dx != nullptr) {
    bind(w_, w);
    bind(dx_, dx);
    backward_data_.execute(stream);
  }
  bind(x_, x);
  bind(dw_, dw);
  if (shape_.has_bias) bind(db_, db);
  backward_weights_.execute(stream);
}

}  // namespace ynet::ops::dense::cpu
