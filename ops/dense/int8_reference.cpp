// The int8 Dense rules of int8.h, written out plainly: integer products summed exactly in int64.
#include <cstdlib>
#include <vector>

#include "ops/dense/int8.h"

namespace ynet::ops::dense::int8::reference {

void quantize_weights(const DenseShape& shape, const double* w, double* w_scale, int8_t* qw) {
  for (std::size_t o = 0; o < shape.outputs; ++o) {
    double largest = 0.0;
    for (std::size_t i = 0; i < shape.inputs; ++i) largest = std::max(largest, std::abs(w[i * shape.outputs + o]));
    w_scale[o] = scale_for(largest, kSignedLevels);
    for (std::size_t i = 0; i < shape.inputs; ++i) {
      const std::size_t k = i * shape.outputs + o;
      qw[k] = static_cast<int8_t>(quantize(w[k], w_scale[o], -kSignedLevels, kSignedLevels));
    }
  }
}

void forward(const DenseShape& shape, ActivationKind activation, bool unsigned_input, const double* x,
             const int8_t* qw, const double* w_scale, const double* b, double* y) {
  const int levels = unsigned_input ? kUnsignedLevels : kSignedLevels;
  const int low = unsigned_input ? 0 : -kSignedLevels;
  std::vector<int> qx(shape.inputs);
  for (std::size_t r = 0; r < shape.rows; ++r) {
    const double* row = x + r * shape.inputs;
    double largest = 0.0;
    for (std::size_t i = 0; i < shape.inputs; ++i) largest = std::max(largest, unsigned_input ? row[i] : std::abs(row[i]));
    const double x_scale = scale_for(largest, levels);
    for (std::size_t i = 0; i < shape.inputs; ++i) qx[i] = quantize(row[i], x_scale, low, levels);
    for (std::size_t o = 0; o < shape.outputs; ++o) {
      int64_t sum = 0;
      for (std::size_t i = 0; i < shape.inputs; ++i) sum += int64_t{qx[i]} * qw[i * shape.outputs + o];
      const double z = static_cast<double>(sum) * x_scale * w_scale[o] + (shape.has_bias ? b[o] : 0.0);
      y[r * shape.outputs + o] = activation::apply(activation, z);
    }
  }
}

}  // namespace ynet::ops::dense::int8::reference
