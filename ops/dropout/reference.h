#pragma once
// Reference inverted dropout in double: y = x * keep / (1 - rate), keep drawn per element from
// Philox (philox.h) so that the mask equals the CPU and GPU kernels' masks bit for bit; rate is the
// probability of dropping, in [0, 1). Backward regenerates the same mask from the same key.

#include <cstddef>

#include "ops/support/philox.h"

namespace ynet::ops::dropout::reference {

void forward(double rate, const philox::MaskKey& key, const double* x, double* y, std::size_t count);
void backward(double rate, const philox::MaskKey& key, const double* dy, double* dx, std::size_t count);

}  // namespace ynet::ops::dropout::reference
