#include "ops/batch_norm/reference.h"

#include <cmath>

namespace ynet::ops::batch_norm::reference {

void forward_training(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                      const double* beta, const std::int32_t* lengths, double* y, double* batch_mean,
                      double* batch_variance) {
  const std::size_t counted = counted_rows(shape, lengths);
  const auto n = static_cast<double>(counted);
  for (std::size_t f = 0; f < shape.features; ++f) {
    double sum = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r)
      if (counts(shape, lengths, r)) sum += x[r * shape.features + f];
    const double mean = counted > 0 ? sum / n : 0.0;
    double squares = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r) {
      if (!counts(shape, lengths, r)) continue;
      const double centered = x[r * shape.features + f] - mean;
      squares += centered * centered;
    }
    batch_mean[f] = mean;
    batch_variance[f] = counted > 0 ? squares / n : 0.0;
  }
  forward_inference(shape, epsilon, x, gamma, beta, batch_mean, batch_variance, y);
  for (std::size_t r = 0; r < shape.rows; ++r)
    if (!counts(shape, lengths, r))
      for (std::size_t f = 0; f < shape.features; ++f) y[r * shape.features + f] = 0.0;
}

void forward_inference(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                       const double* beta, const double* mean, const double* variance, double* y) {
  for (std::size_t r = 0; r < shape.rows; ++r) {
    for (std::size_t f = 0; f < shape.features; ++f) {
      const std::size_t k = r * shape.features + f;
      y[k] = gamma[f] * (x[k] - mean[f]) / std::sqrt(variance[f] + epsilon) + beta[f];
    }
  }
}

void backward(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
              const std::int32_t* lengths, const double* batch_mean, const double* batch_variance, const double* dy,
              double* dx, double* dgamma, double* dbeta) {
  const auto n = static_cast<double>(counted_rows(shape, lengths));
  for (std::size_t f = 0; f < shape.features; ++f) {
    const double inv_std = 1.0 / std::sqrt(batch_variance[f] + epsilon);
    double sum_dy = 0.0;
    double sum_dy_xhat = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r) {
      if (!counts(shape, lengths, r)) continue;
      const std::size_t k = r * shape.features + f;
      sum_dy += dy[k];
      sum_dy_xhat += dy[k] * (x[k] - batch_mean[f]) * inv_std;
    }
    dbeta[f] = sum_dy;
    dgamma[f] = sum_dy_xhat;
    // The mean and variance depend on every row that counts, hence the two correction terms; padded
    // frames influence nothing.
    for (std::size_t r = 0; r < shape.rows; ++r) {
      const std::size_t k = r * shape.features + f;
      if (!counts(shape, lengths, r)) {
        dx[k] = 0.0;
        continue;
      }
      const double xhat = (x[k] - batch_mean[f]) * inv_std;
      dx[k] = gamma[f] * inv_std * (dy[k] - sum_dy / n - xhat * sum_dy_xhat / n);
    }
  }
}

}  // namespace ynet::ops::batch_norm::reference
