#include "ops/l2_normalize/reference.h"

#include <cmath>

namespace ynet::ops::l2_normalize::reference {

namespace {

double squared_norm(const double* row, std::size_t features) {
  double sum = 0.0;
  for (std::size_t f = 0; f < features; ++f) sum += row[f] * row[f];
  return sum;
}

}  // namespace

void forward(const L2NormalizeShape& shape, double epsilon, const double* x, double* y) {
  for (std::size_t r = 0; r < shape.rows; ++r) {
    const double* row = x + r * shape.features;
    const double norm = std::sqrt(std::fmax(squared_norm(row, shape.features), epsilon));
    for (std::size_t f = 0; f < shape.features; ++f) y[r * shape.features + f] = row[f] / norm;
  }
}

void backward(const L2NormalizeShape& shape, double epsilon, const double* x, const double* dy, double* dx) {
  for (std::size_t r = 0; r < shape.rows; ++r) {
    const double* row = x + r * shape.features;
    const double* upstream = dy + r * shape.features;
    double* grad = dx + r * shape.features;
    const double squares = squared_norm(row, shape.features);
    if (squares <= epsilon) {
      for (std::size_t f = 0; f < shape.features; ++f) grad[f] = upstream[f] / std::sqrt(epsilon);
      continue;
    }
    const double norm = std::sqrt(squares);
    double y_dot_dy = 0.0;
    for (std::size_t f = 0; f < shape.features; ++f) y_dot_dy += row[f] / norm * upstream[f];
    for (std::size_t f = 0; f < shape.features; ++f) grad[f] = (upstream[f] - row[f] / norm * y_dot_dy) / norm;
  }
}

}  // namespace ynet::ops::l2_normalize::reference
