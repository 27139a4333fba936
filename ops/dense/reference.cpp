#include "ops/dense/reference.h"

#include <vector>

namespace ynet::ops::dense::reference {

void forward(const DenseShape& shape, ActivationKind activation, const double* x, const double* w, const double* b,
             double* y) {
  for (std::size_t r = 0; r < shape.rows; ++r) {
    for (std::size_t o = 0; o < shape.outputs; ++o) {
      double sum = shape.has_bias ? b[o] : 0.0;
      for (std::size_t i = 0; i < shape.inputs; ++i) sum += x[r * shape.inputs + i] * w[i * shape.outputs + o];
      y[r * shape.outputs + o] = activation::apply(activation, sum);
    }
  }
}

void backward(const DenseShape& shape, ActivationKind activation, const double* x, const double* w, const double* y,
              const double* dy, double* dx, double* dw, double* db) {
  // Gradient w.r.t. the pre-activation.
  std::vector<double> dz(shape.rows * shape.outputs);
  // Without an activation y is not needed (the plan does not keep it for this step).
  for (std::size_t k = 0; k < dz.size(); ++k)
    dz[k] = activation == ActivationKind::none ? dy[k] : dy[k] * activation::derivative_from_output(activation, y[k]);

  if (dx != nullptr) {
    for (std::size_t r = 0; r < shape.rows; ++r) {
      for (std::size_t i = 0; i < shape.inputs; ++i) {
        double sum = 0.0;
        for (std::size_t o = 0; o < shape.outputs; ++o) sum += dz[r * shape.outputs + o] * w[i * shape.outputs + o];
        dx[r * shape.inputs + i] = sum;
      }
    }
  }
  for (std::size_t i = 0; i < shape.inputs; ++i) {
    for (std::size_t o = 0; o < shape.outputs; ++o) {
      double sum = 0.0;
      for (std::size_t r = 0; r < shape.rows; ++r) sum += x[r * shape.inputs + i] * dz[r * shape.outputs + o];
      dw[i * shape.outputs + o] = sum;
    }
  }
  if (shape.has_bias) {
    for (std::size_t o = 0; o < shape.outputs; ++o) {
      double sum = 0.0;
      for (std::size_t r = 0; r < shape.rows; ++r) sum += dz[r * shape.outputs + o];
      db[o] = sum;
    }
  }
}

}  // namespace ynet::ops::dense::reference
