#include "ops/batch_norm/cpu.h"

namespace ynet::ops::batch_norm::cpu {

using dnnl_call::bind;
using dnnl_call::plain_desc;
using dnnl_call::unbound_memory;
using flags = dnnl::normalization_flags;
using tag = dnnl::memory::format_tag;

Kernel::Kernel(const BatchNormShape& shape, double epsilon, double decay, const dnnl::engine& engine)
    : shape_(shape), decay_(decay) {
  const auto data_desc =
      plain_desc({static_cast<dnnl::memory::dim>(shape.rows), static_cast<dnnl::memory::dim>(shape.features), 1, 1},
                 tag::nhwc);
  const auto vector_desc = plain_desc({static_cast<dnnl::memory::dim>(shape.features)}, tag::a);
  x_ = unbound_memory(data_desc, engine);
  y_ = unbound_memory(data_desc, engine);
  dy_ = unbound_memory(data_desc, engine);
  dx_ = unbound_memory(data_desc, engine);
  gamma_ = unbound_memory(vector_desc, engine);
  beta_ = unbound_memory(vector_desc, engine);
  mean_ = unbound_memory(vector_desc, engine);
  variance_ = unbound_memory(vector_desc, engine);
  dgamma_ = unbound_memory(vector_desc, engine);
  dbeta_ = unbound_memory(vector_desc, engine);

  const auto eps = static_cast<float>(epsilon);
  const auto affine = flags::use_scale | flags::use_shift;
  const dnnl::batch_normalization_forward::primitive_desc training_pd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, data_desc, eps, affine), engine);
  const dnnl::batch_normalization_forward::primitive_desc inference_pd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, data_desc, eps,
                                              affine | flags::use_global_stats),
      engine);
  const dnnl::batch_normalization_backward::primitive_desc backward_pd(
      dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, data_desc, data_desc, eps, affine), engine,
      training_pd);

  training_ = dnnl_call::Call(dnnl::batch_normalization_forward(training_pd),
                              {{DNNL_ARG_SRC, x_},
                               {DNNL_ARG_SCALE, gamma_},
                               {DNNL_ARG_SHIFT, beta_},
                               {DNNL_ARG_DST, y_},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_}});
  inference_ = dnnl_call::Call(dnnl::batch_normalization_forward(inference_pd),
                               {{DNNL_ARG_SRC, x_},
                                {DNNL_ARG_SCALE, gamma_},
                                {DNNL_ARG_SHIFT, beta_},
                                {DNNL_ARG_MEAN, mean_},
                                {DNNL_ARG_VARIANCE, variance_},
                                {DNNL_ARG_DST, y_}});
  // oneDNN 2.6 refuses to run backward without a shift argument although the gradient does not
  // depend on beta; gamma's memory (same shape, never written) stands in for it.
  backward_ = dnnl_call::Call(dnnl::batch_normalization_backward(backward_pd),
                              {{DNNL_ARG_SRC, x_},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_},
                               {DNNL_ARG_SCALE, gamma_},
                               {DNNL_ARG_SHIFT, gamma_},
                               {DNNL_ARG_DIFF_DST, dy_},
                               {DNNL_ARG_DIFF_SRC, dx_},
                               {DNNL_ARG_DIFF_SCALE, dgamma_},
                               {DNNL_ARG_DIFF_SHIFT, dbeta_}});
}

void Kernel::forward_training(const float* x, const float* gamma, const float* beta, float* y, float* batch_mean,
                              float* batch_variance, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(beta_, beta);
  bind(y_, y);
  bind(mean_, batch_mean);
  bind(variance_, batch_variance);
  training_.execute(stream);
}

void Kernel::forward_inference(const float* x, const float* gamma, const float* beta, const float* moving_mean,
                               const float* moving_variance, float* y, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(beta_, beta);
  bind(mean_, moving_mean);
  bind(variance_, moving_variance);
  bind(y_, y);
  inference_.execute(stream);
}

void Kernel::backward(const float* x, const float* gamma, const float* batch_mean, const float* batch_variance,
                      const float* dy, float* dx, float* dgamma, float* dbeta, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(mean_, batch_mean);
  bind(variance_, batch_variance);
  bind(dy_, dy);
  bind(dx_, dx);
  bind(dgamma_, dgamma);
  bind(dbeta_, dbeta);
  backward_.execute(stream);
}

void Kernel::update_moving_statistics(const float* batch_mean, const float* batch_variance, float* moving_mean,
                                      float* moving_variance) const {
  reference::update_moving_statistics(shape_, decay_, batch_mean, batch_variance, moving_mean, moving_variance);
}

}  // namespace ynet::ops::batch_norm::cpu
