#pragma once
// Elementwise activations on the GPU (math as in kind.h): y = f(x), and dx = dy f'(y) taken from
// the output. Also used by Dense for the activations cuBLASLt cannot fuse.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/activation/kind.h"

namespace ynet::ops::activation::cuda {

// x and y may alias.
void forward(ActivationKind kind, const float* x, float* y, int64_t count, cudaStream_t stream);
// dy and dx may alias.
void backward(ActivationKind kind, const float* y, const float* dy, float* dx, int64_t count, cudaStream_t stream);

}  // namespace ynet::ops::activation::cuda
