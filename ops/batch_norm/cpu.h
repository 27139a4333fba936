#pragma once
// Batch normalisation over x [rows, features] on the CPU (see reference.h for the math, the
// statistics and the moving-average convention). The batch variance written by forward_training is
// the biased one, like the reference's.
//   Kernel          oneDNN's batch normalization, for statistics over every row (vectors) and for
//                   inference.
//   FramesKernel    our own loops, for statistics over the valid frames only (oneDNN has no mask),
//                   and for dgamma, dbeta without dx. The rows are cut into fixed chunks of 64; each
//                   chunk's sums over its rows that count are taken in double by one thread (vector
//                   lanes across the features, which are contiguous), and the chunks' sums added in
//                   chunk order by feature: the result does not depend on the thread count. It also
//                   serves a slice of a data-parallel batch, with or without lengths: its sums are
//                   summed over the ranks (reference.h says which).
#include <cstdint>

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/batch_norm/reference.h"
#include "ops/support/batch_collectives.h"
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

class FramesKernel {
 public:
  FramesKernel(const BatchNormShape& shape, double epsilon, double decay);

  // Doubles of scratch that forward_training and backward take.
  std::size_t workspace_doubles() const;

  // Training forward with lengths (or, lengths == nullptr, over every row): y (0 on padded frames),
  // the batch statistics, and the moving statistics moved towards them.
  void forward_training(const float* x, const float* gamma, const float* beta, const std::int32_t* lengths, float* y,
                        float* batch_mean, float* batch_variance, float* moving_mean, float* moving_variance,
                        double* workspace, const runtime::BatchSlice& slice = {}) const;

  // Its gradients; dx may be null (only dgamma and dbeta are computed), and is 0 on padded frames.
  void backward(const float* x, const float* gamma, const std::int32_t* lengths, const float* batch_mean,
                const float* batch_variance, const float* dy, float* dx, float* dgamma, float* dbeta,
                double* workspace, const runtime::BatchSlice& slice = {}) const;

 private:
  BatchNormShape shape_;
  double epsilon_, decay_;
  std::size_t chunks_;
};

}  // namespace ynet::ops::batch_norm::cpu
