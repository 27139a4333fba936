#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/time_weighted_sum/cuda.h"

namespace ynet::ops::time_weighted_sum::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;

struct Dims {
  int64_t batch, time, features;
  double max_frames;
  bool linear;
};

__device__ inline int64_t frames_of(int32_t length, int64_t time) {
  return length <= 0 ? 0 : (length < time ? length : time);
}

// frame_weight of reference.h for the frame at zero-based index t.
__device__ inline double weight(const Dims& d, int64_t t) {
  return (d.linear ? static_cast<double>(t + 1) : 1.0) / d.max_frames;
}

__global__ void forward_kernel(Dims d, const float* h, const int32_t* lengths, float* y) {
  for (int64_t k = global_index(); k < d.batch * d.features; k += global_stride()) {
    const int64_t b = k / d.features, f = k % d.features;
    const int64_t frames = frames_of(lengths[b], d.time);
    const float* column = h + b * d.time * d.features + f;
    double sum = 0.0;
    for (int64_t t = 0; t < frames; ++t) sum += weight(d, t) * column[t * d.features];
    y[k] = static_cast<float>(sum);
  }
}

__global__ void backward_kernel(Dims d, const int32_t* lengths, const float* dy, float* dh) {
  for (int64_t k = global_index(); k < d.batch * d.time * d.features; k += global_stride()) {
    const int64_t f = k % d.features, t = (k / d.features) % d.time, b = k / (d.features * d.time);
    dh[k] = t < frames_of(lengths[b], d.time) ? static_cast<float>(weight(d, t) * dy[b * d.features + f]) : 0.f;
  }
}

Dims dims_of(const TimeWeightedSumShape& s, Weighting weighting) {
  return {static_cast<int64_t>(s.batch), static_cast<int64_t>(s.time), static_cast<int64_t>(s.features),
          static_cast<double>(s.max_frames), weighting == Weighting::linear};
}

}  // namespace

void forward(const TimeWeightedSumShape& shape, Weighting weighting, const float* h, const int32_t* lengths, float* y,
             cudaStream_t stream) {
  const Dims d = dims_of(shape, weighting);
  if (d.batch * d.features == 0) return;
  forward_kernel<<<runtime::cuda::grid_for(d.batch * d.features), runtime::cuda::kThreads, 0, stream>>>(d, h, lengths,
                                                                                                      y);
  YNET_CUDA_CHECK_LAUNCH("time-weighted sum forward");
}

void backward(const TimeWeightedSumShape& shape, Weighting weighting, const int32_t* lengths, const float* dy,
              float* dh, cudaStream_t stream) {
  const Dims d = dims_of(shape, weighting);
  const int64_t count = d.batch * d.time * d.features;
  if (count == 0) return;
  backward_kernel<<<runtime::cuda::grid_for(count), runtime::cuda::kThreads, 0, stream>>>(d, lengths, dy, dh);
  YNET_CUDA_CHECK_LAUNCH("time-weighted sum backward");
}

}  // namespace ynet::ops::time_weighted_sum::cuda
