#pragma once
// Reference batch normalisation in double over x [rows, features] (rows = batch, or batch x time for
// frame inputs; every row given counts, padded frames included):
//   y = gamma * (x - mean) / sqrt(var + epsilon) + beta.
// Training normalises with the batch mean and the biased batch variance (divide by rows); inference
// with the moving statistics. After a training step the moving statistics follow
//   moving = decay * moving + (1 - decay) * batch
// where the variance fed into the moving average is the unbiased one (times rows / (rows - 1)), as
// TensorFlow's fused batch norm does. TensorFlow's defaults (slim/contrib batch_norm, used by the
// YouTube-8M starter code) are epsilon = 1e-3 and decay = 0.999.

#include <cstddef>

namespace ynet::ops::batch_norm {

struct BatchNormShape {
  std::size_t rows = 0;
  std::size_t features = 0;
};

constexpr double kDefaultEpsilon = 1e-3;
constexpr double kDefaultDecay = 0.999;

namespace reference {

// Writes y and the batch statistics (mean, biased variance) that backward and the moving-average
// update need.
void forward_training(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                      const double* beta, double* y, double* batch_mean, double* batch_variance);

void forward_inference(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                       const double* beta, const double* moving_mean, const double* moving_variance, double* y);

// Gradients of a training-mode forward pass; dgamma and dbeta are overwritten.
void backward(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
              const double* batch_mean, const double* batch_variance, const double* dy, double* dx, double* dgamma,
              double* dbeta);

// Templated so that the CPU backend applies the same update to its float statistics.
template <class T>
void update_moving_statistics(const BatchNormShape& shape, double decay, const T* batch_mean,
                              const T* batch_variance, T* moving_mean, T* moving_variance) {
  const double bessel =
      shape.rows > 1 ? static_cast<double>(shape.rows) / static_cast<double>(shape.rows - 1) : 1.0;
  for (std::size_t f = 0; f < shape.features; ++f) {
    moving_mean[f] = static_cast<T>(decay * moving_mean[f] + (1.0 - decay) * batch_mean[f]);
    moving_variance[f] = static_cast<T>(decay * moving_variance[f] + (1.0 - decay) * bessel * batch_variance[f]);
  }
}

}  // namespace reference
}  // namespace ynet::ops::batch_norm
