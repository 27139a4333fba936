#pragma once
// Frame pooling on the GPU (math as in reference.h): one thread per (video, feature) walks the
// video's valid frames, so neighbouring threads read neighbouring features.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/frame_pooling/reference.h"

namespace ynet::ops::frame_pooling::cuda {

// scale and shift (both or neither): pool scale * x + shift, a folded inference BatchNorm.
void forward(const FramePoolingShape& shape, PoolingMode mode, const float* x, const int32_t* lengths, float* y,
             const float* scale, const float* shift, cudaStream_t stream);
// dx is fully written; x is read in max mode only.
void backward(const FramePoolingShape& shape, PoolingMode mode, const float* x, const int32_t* lengths,
              const float* dy, float* dx, cudaStream_t stream);

}  // namespace ynet::ops::frame_pooling::cuda
