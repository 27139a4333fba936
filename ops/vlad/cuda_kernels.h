#pragma once
// The O(B K F) centre terms of VLAD aggregation on the GPU (cuda.cu), launched by cuda.cpp; each
// value is summed by one thread in a fixed order.
#include <cuda_runtime_api.h>

#include "ops/vlad/reference.h"

namespace ynet::ops::vlad::cuda {

void sum_assignments(const VladShape& shape, const float* a, float* sums, cudaStream_t stream);
void subtract_centres(const VladShape& shape, const float* sums, const float* centres, float* v, cudaStream_t stream);
void centre_grad(const VladShape& shape, const float* sums, const float* dv, float* dcentres, cudaStream_t stream);
// da[b, r, k] -= sum_f dv[b, k, f] c[k, f]; `scratch` holds B*K floats.
void subtract_centre_projection(const VladShape& shape, const float* centres, const float* dv, float* scratch,
                                float* da, cudaStream_t stream);

}  // namespace ynet::ops::vlad::cuda
