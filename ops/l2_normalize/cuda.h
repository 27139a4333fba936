#pragma once
// Per-row L2 normalisation on the GPU (math as in reference.h): one block per row sums the squares
// in double in a fixed order, then scales the row.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/l2_normalize/reference.h"

namespace ynet::ops::l2_normalize::cuda {

void forward(const L2NormalizeShape& shape, double epsilon, const float* x, float* y, cudaStream_t stream);
// dx is fully written; the norms are recomputed from x.
void backward(const L2NormalizeShape& shape, double epsilon, const float* x, const float* dy, float* dx,
              cudaStream_t stream);

}  // namespace ynet::ops::l2_normalize::cuda
