#pragma once
// Reference elementwise activation in double: y = f(x); dx = dy * f'(x) computed from y.

#include <cstddef>

#include "ops/activation/kind.h"

namespace ynet::ops::activation::reference {

void forward(ActivationKind kind, const double* x, double* y, std::size_t count);
void backward(ActivationKind kind, const double* y, const double* dy, double* dx, std::size_t count);

}  // namespace ynet::ops::activation::reference
