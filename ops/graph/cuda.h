#pragma once
// Device kernels of the graph steps (ops/graph/steps.cpp).
#include <cuda_runtime_api.h>

#include <cstdint>

namespace ynet::runtime::cuda {

// *out = the sum of the scalars *terms[0..count), added in order in double.
void sum_scalars(const float* const* terms, int count, float* out, cudaStream_t stream);
// *targets[k] = value for every k.
void fill_scalars(float* const* targets, int count, float value, cudaStream_t stream);
// out = a + b over n elements (out may alias either).
void add(const float* a, const float* b, float* out, int64_t n, cudaStream_t stream);

}  // namespace ynet::runtime::cuda
