#include "ops/batch_norm/reference.h"

#include <cmath>
#include <vector>

namespace ynet::ops::batch_norm::reference {

std::size_t forward_training(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                             const double* beta, const std::int32_t* lengths, double* y, double* batch_mean,
                             double* batch_variance, const runtime::BatchSlice& slice) {
  // [Σx per feature, N], then Σ(x - mean)² per feature: summed over the ranks where there are several.
  std::vector<double> sums(shape.features + 1, 0.0);
  for (std::size_t f = 0; f < shape.features; ++f)
    for (std::size_t r = 0; r < shape.rows; ++r)
      if (counts(shape, lengths, r)) sums[f] += x[r * shape.features + f];
  sums[shape.features] = static_cast<double>(counted_rows(shape, lengths));
  if (slice.distributed()) slice.collectives->sum(sums.data(), sums.size());
  const auto counted = static_cast<std::size_t>(sums[shape.features]);
  const auto n = static_cast<double>(counted);
  for (std::size_t f = 0; f < shape.features; ++f) batch_mean[f] = counted > 0 ? sums[f] / n : 0.0;
  std::vector<double> squares(shape.features, 0.0);
  for (std::size_t f = 0; f < shape.features; ++f) {
    for (std::size_t r = 0; r < shape.rows; ++r) {
      if (!counts(shape, lengths, r)) continue;
      const double centered = x[r * shape.features + f] - batch_mean[f];
      squares[f] += centered * centered;
    }
  }
  if (slice.distributed()) slice.collectives->sum(squares.data(), squares.size());
  for (std::size_t f = 0; f < shape.features; ++f) batch_variance[f] = counted > 0 ? squares[f] / n : 0.0;
  forward_inference(shape, epsilon, x, gamma, beta, batch_mean, batch_variance, y);
  for (std::size_t r = 0; r < shape.rows; ++r)
    if (!counts(shape, lengths, r))
      for (std::size_t f = 0; f < shape.features; ++f) y[r * shape.features + f] = 0.0;
  return counted;
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
              double* dx, double* dgamma, double* dbeta, const runtime::BatchSlice& slice) {
  // [Σdy per feature, Σdy·x̂ per feature, N]: this process's rows' for dgamma and dbeta, the whole
  // batch's (summed over the ranks) for dx.
  const std::size_t features = shape.features;
  std::vector<double> sums(2 * features + 1, 0.0);
  for (std::size_t f = 0; f < features; ++f) {
    const double inv_std = 1.0 / std::sqrt(batch_variance[f] + epsilon);
    for (std::size_t r = 0; r < shape.rows; ++r) {
      if (!counts(shape, lengths, r)) continue;
      const std::size_t k = r * features + f;
      sums[f] += dy[k];
      sums[features + f] += dy[k] * (x[k] - batch_mean[f]) * inv_std;
    }
    dbeta[f] = sums[f];
    dgamma[f] = sums[features + f];
  }
  sums[2 * features] = static_cast<double>(counted_rows(shape, lengths));
  if (slice.distributed()) slice.collectives->sum(sums.data(), sums.size());
  const double n = sums[2 * features];
  for (std::size_t f = 0; f < features; ++f) {
    const double inv_std = 1.0 / std::sqrt(batch_variance[f] + epsilon);
    const double sum_dy = sums[f], sum_dy_xhat = sums[features + f];
    // The mean and variance depend on every row that counts, hence the two correction terms; padded
    // frames influence nothing.
    for (std::size_t r = 0; r < shape.rows; ++r) {
      const std::size_t k = r * features + f;
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
