#include "ops/l2_normalize/cpu.h"

#include <cmath>
#include <cstdint>

namespace ynet::ops::l2_normalize::cpu {

namespace {

double squared_norm(const float* row, std::size_t features) {
  double sum = 0.0;
  for (std::size_t f = 0; f < features; ++f) sum += static_cast<double>(row[f]) * row[f];
  return sum;
}

}  // namespace

Kernel::Kernel(const L2NormalizeShape& shape, double epsilon) : shape_(shape), epsilon_(epsilon) {}

void Kernel::forward(const float* x, float* y) const {
  const std::size_t features = shape_.features;
  const auto rows = static_cast<std::int64_t>(shape_.rows);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = x + static_cast<std::size_t>(r) * features;
    float* out = y + static_cast<std::size_t>(r) * features;
    const auto inverse_norm = static_cast<float>(1.0 / std::sqrt(std::fmax(squared_norm(row, features), epsilon_)));
    for (std::size_t f = 0; f < features; ++f) out[f] = row[f] * inverse_norm;
  }
}

void Kernel::backward(const float* x, const float* dy, float* dx) const {
  const std::size_t features = shape_.features;
  const auto rows = static_cast<std::int64_t>(shape_.rows);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::size_t offset = static_cast<std::size_t>(r) * features;
    const float* row = x + offset;
    const float* upstream = dy + offset;
    float* grad = dx + offset;
    const double squares = squared_norm(row, features);
    if (squares <= epsilon_) {
      const auto scale = static_cast<float>(1.0 / std::sqrt(epsilon_));
      for (std::size_t f = 0; f < features; ++f) grad[f] = upstream[f] * scale;
      continue;
    }
    const double inverse_norm = 1.0 / std::sqrt(squares);
    double x_dot_dy = 0.0;
    for (std::size_t f = 0; f < features; ++f) x_dot_dy += static_cast<double>(row[f]) * upstream[f];
    // dx = (dy - y <y, dy>) / norm with y = x / norm.
    const auto projection = static_cast<float>(x_dot_dy * inverse_norm * inverse_norm);
    const auto scale = static_cast<float>(inverse_norm);
    for (std::size_t f = 0; f < features; ++f) grad[f] = (upstream[f] - row[f] * projection) * scale;
  }
}

}  // namespace ynet::ops::l2_normalize::cpu
