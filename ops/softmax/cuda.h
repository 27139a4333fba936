#pragma once
// Softmax on the GPU (math in reference.h): one thread per run of `width` values, which suits the
// cluster counts of NetVLAD (a run is 32 to 256 values); padded frames are written as 0.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/softmax/reference.h"

namespace ynet::ops::softmax::cuda {

// lengths may be null (every frame valid).
void forward(const SoftmaxShape& shape, const float* x, const std::int32_t* lengths, float* y, cudaStream_t stream);
void backward(const SoftmaxShape& shape, const float* y, const float* dy, float* dx, cudaStream_t stream);

}  // namespace ynet::ops::softmax::cuda
