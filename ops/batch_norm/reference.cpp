#include "ops/batch_norm/reference.h"

#include <cmath>

namespace ynet::ops::batch_norm::reference {

void forward_training(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                      const double* beta, double* y, double* batch_mean, double* batch_variance) {
  const auto rows = static_cast<double>(shape.rows);
  for (std::size_t f = 0; f < shape.features; ++f) {
    double sum = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r) sum += x[r * shape.features + f];
    const double mean = sum / rows;
    double squares = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r) {
      const double centered = x[r * shape.features + f] - mean;
      squares += centered * centered;
    }
    batch_mean[f] = mean;
    batch_variance[f] = squares / rows;
  }
  forward_inference(shape, epsilon, x, gamma, beta, batch_mean, batch_variance, y);
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
              const double* batch_mean, const double* batch_variance, const double* dy, double* dx, double* dgamma,
              double* dbeta) {
  const auto rows = static_cast<double>(shape.rows);
  for (std::size_t f = 0; f < shape.features; ++f) {
    const double inv_std = 1.0 / std::sqrt(batch_variance[f] + epsilon);
    double sum_dy = 0.0;
    double sum_dy_xhat = 0.0;
    for (std::size_t r = 0; r < shape.rows; ++r) {
      const std::size_t k = r * shape.features + f;
      sum_dy += dy[k];
      sum_dy_xhat += dy[k] * (x[k] - batch_mean[f]) * inv_std;
    }
    dbeta[f] = sum_dy;
    dgamma[f] = sum_dy_xhat;
    // The mean and variance depend on every row, hence the two correction terms.
    for (std::size_t r = 0; r < shape.rows; ++r) {
      const std::size_t k = r * shape.features + f;
      const double xhat = (x[k] - batch_mean[f]) * inv_std;
      dx[k] = gamma[f] * inv_std * (dy[k] - sum_dy / rows - xhat * sum_dy_xhat / rows);
    }
  }
}

}  // namespace ynet::ops::batch_norm::reference
