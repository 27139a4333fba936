#pragma once
// Reference per-row L2 normalisation in double, as TensorFlow's tf.nn.l2_normalize:
//   y = x / sqrt(max(sum(x^2), epsilon))        (epsilon 1e-12 by default)
// over x [rows, features]. Rows whose squared norm is at most epsilon (all-zero padded frames) are
// scaled by the constant 1/sqrt(epsilon), so their gradient is dy / sqrt(epsilon); otherwise
//   dx = (dy - y * <y, dy>) / norm.

#include <cstddef>

namespace ynet::ops::l2_normalize {

struct L2NormalizeShape {
  std::size_t rows = 0;
  std::size_t features = 0;
};

constexpr double kDefaultEpsilon = 1e-12;

namespace reference {

void forward(const L2NormalizeShape& shape, double epsilon, const double* x, double* y);
// dx is fully written.
void backward(const L2NormalizeShape& shape, double epsilon, const double* x, const double* dy, double* dx);

}  // namespace reference
}  // namespace ynet::ops::l2_normalize
