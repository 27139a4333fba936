#pragma once
// Element-wise product on the GPU (math in reference.h): one thread per value of b, which scales
// its run of a (and sums db over it in a fixed order).
#include <cuda_runtime_api.h>

#include "ops/multiply/reference.h"

namespace ynet::ops::multiply::cuda {

void forward(const MultiplyShape& shape, const float* a, const float* b, float* y, cudaStream_t stream);
// da or db may be null.
void backward(const MultiplyShape& shape, const float* a, const float* b, const float* dy, float* da, float* db,
              cudaStream_t stream);

}  // namespace ynet::ops::multiply::cuda
