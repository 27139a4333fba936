#pragma once
// Reference inverted dropout in double: y = x * keep / (1 - rate), keep drawn per element from
// Philox (philox.h) so that the mask equals the CPU and GPU kernels' masks bit for bit; rate is the
// probability of dropping, in [0, 1). Backward regenerates the same mask from the same key.
// first_element: the index of x[0] in the tensor that the key draws for (the global batch's, where
// this process holds a slice of it), so that every process draws its own part of one mask.

#include <cstddef>
#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::dropout::reference {

void forward(double rate, const philox::MaskKey& key, std::uint64_t first_element, const double* x, double* y,
             std::size_t count);
void backward(double rate, const philox::MaskKey& key, std::uint64_t first_element, const double* dy, double* dx,
              std::size_t count);

}  // namespace ynet::ops::dropout::reference
