#pragma once
// Reference Dense layer in double: y = f(x W + b) with x [rows, inputs], W [inputs, outputs] (the
// TensorFlow kernel layout), b [outputs], y [rows, outputs]. rows is the batch, or batch x time when
// the layer is applied to every frame.

#include <cstddef>

#include "ops/activation/kind.h"

namespace ynet::ops::dense {

struct DenseShape {
  std::size_t rows = 0;
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  bool has_bias = true;
};

namespace reference {

void forward(const DenseShape& shape, ActivationKind activation, const double* x, const double* w, const double* b,
             double* y);

// Needs the forward output y (activation derivatives are taken from it). dx may be null when the
// input needs no gradient; db is ignored without a bias. dw and db are overwritten.
void backward(const DenseShape& shape, ActivationKind activation, const double* x, const double* w, const double* y,
              const double* dy, double* dx, double* dw, double* db);

}  // namespace reference
}  // namespace ynet::ops::dense
