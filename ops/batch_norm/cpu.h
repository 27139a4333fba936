#pragma once
// oneDNN batch normalisation over x [rows, features] (see reference.h for the math, the statistics
// and the moving-average convention). The batch variance written by forward_training is the biased
// one, like the reference's.

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/batch_norm/reference.h"
#include "ops/support/dnnl_call.h"

namespace ynet::ops::batch_norm::cpu {

class Kernel {
 public:
  Kernel(const BatchNormShape& shape, double epsilon, double decay, const dnnl::engine& engine);

  void forward_training(const float* x, const float* gamma, const float* beta, float* y, float* batch_mean,
                        float* batch_variance, const dnnl::stream& stream) const;
  void forward_inference(const float* x, const float* gamma, const float* beta, const float* moving_mean,
                         const float* moving_variance, float* y, const dnnl::stream& stream) const;
  // dgamma and dbeta are overwritten.
  void backward(const float* x, const float* gamma, const float* batch_mean, const float* batch_variance,
                const float* dy, float* dx, float* dgamma, float* dbeta, const dnnl::stream& stream) const;
  // Call after forward_training's results are complete (after the stream has been waited on).
  void update_moving_statistics(const float* batch_mean, const float* batch_variance, float* moving_mean,
                                float* moving_variance) const;

 private:
  BatchNormShape shape_;
  double decay_;
  dnnl::memory x_, y_, gamma_, beta_, mean_, variance_, dy_, dx_, dgamma_, dbeta_;
  dnnl_call::Call training_, inference_, backward_;
};

}  // namespace ynet::ops::batch_norm::cpu
