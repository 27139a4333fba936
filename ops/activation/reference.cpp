#include "ops/activation/reference.h"

namespace ynet::ops::activation::reference {

void forward(ActivationKind kind, const double* x, double* y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) y[i] = apply(kind, x[i]);
}

void backward(ActivationKind kind, const double* y, const double* dy, double* dx, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) dx[i] = dy[i] * derivative_from_output(kind, y[i]);
}

}  // namespace ynet::ops::activation::reference
