#pragma once
// Time-weighted sum on the GPU (math as in reference.h): forward one thread per (video, feature)
// over the valid frames, backward one thread per element.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/time_weighted_sum/reference.h"

namespace ynet::ops::time_weighted_sum::cuda {

void forward(const TimeWeightedSumShape& shape, Weighting weighting, const float* h, const int32_t* lengths, float* y,
             cudaStream_t stream);
// dh is fully written, zeros included.
void backward(const TimeWeightedSumShape& shape, Weighting weighting, const int32_t* lengths, const float* dy,
              float* dh, cudaStream_t stream);

}  // namespace ynet::ops::time_weighted_sum::cuda
