#pragma once
// Column copies on the GPU (reference.h): cudaMemcpy2DAsync, one call per copy.
#include <cuda_runtime_api.h>

#include "ops/concat/reference.h"

namespace ynet::ops::concat::cuda {

void copy_columns(const ColumnCopy& copy, const float* from, float* to, cudaStream_t stream);
void zero(float* values, std::size_t count, cudaStream_t stream);

}  // namespace ynet::ops::concat::cuda
