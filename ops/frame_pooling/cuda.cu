#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/frame_pooling/cuda.h"

namespace ynet::ops::frame_pooling::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;

struct Dims {
  int64_t batch, time, features;
};

__device__ inline int64_t frames_of(int32_t length, int64_t time) {
  return length <= 0 ? 0 : (length < time ? length : time);
}

// The first frame attaining the maximum, as reference.cpp finds it.
__device__ inline int64_t first_argmax(const Dims& d, const float* x, int64_t b, int64_t frames, int64_t f) {
  const float* column = x + b * d.time * d.features + f;
  int64_t best = 0;
  for (int64_t t = 1; t < frames; ++t)
    if (column[t * d.features] > column[best * d.features]) best = t;
  return best;
}

__global__ void forward_kernel(Dims d, PoolingMode mode, const float* x, const int32_t* lengths, const float* scale,
                               const float* shift, float* y) {
  for (int64_t k = global_index(); k < d.batch * d.features; k += global_stride()) {
    const int64_t b = k / d.features, f = k % d.features;
    const int64_t frames = frames_of(lengths[b], d.time);
    const float* column = x + b * d.time * d.features + f;
    const float a = scale ? scale[f] : 1.f, c = scale ? shift[f] : 0.f;
    float pooled = 0.f;
    if (frames > 0 && mode == PoolingMode::max) {
      pooled = a * column[0] + c;
      for (int64_t t = 1; t < frames; ++t) {
        const float v = a * column[t * d.features] + c;
        pooled = v > pooled ? v : pooled;
      }
    } else if (frames > 0) {
      double sum = 0.0;
      for (int64_t t = 0; t < frames; ++t) sum += a * column[t * d.features] + c;
      pooled = static_cast<float>(mode == PoolingMode::mean ? sum / static_cast<double>(frames) : sum);
    }
    y[k] = pooled;
  }
}

__global__ void backward_kernel(Dims d, PoolingMode mode, const float* x, const int32_t* lengths, const float* dy,
                                float* dx) {
  for (int64_t k = global_index(); k < d.batch * d.features; k += global_stride()) {
    const int64_t b = k / d.features, f = k % d.features;
    const int64_t frames = frames_of(lengths[b], d.time);
    float* column = dx + b * d.time * d.features + f;
    const float g = dy[k];
    const int64_t argmax = frames > 0 && mode == PoolingMode::max ? first_argmax(d, x, b, frames, f) : -1;
    const float share = mode == PoolingMode::mean && frames > 0 ? g / static_cast<float>(frames) : g;
    for (int64_t t = 0; t < d.time; ++t) {
      float v = 0.f;
      if (mode == PoolingMode::max) v = t == argmax ? g : 0.f;
      else if (t < frames) v = share;
      column[t * d.features] = v;
    }
  }
}

Dims dims_of(const FramePoolingShape& s) {
  return {static_cast<int64_t>(s.batch), static_cast<int64_t>(s.time), static_cast<int64_t>(s.features)};
}

}  // namespace

void forward(const FramePoolingShape& shape, PoolingMode mode, const float* x, const int32_t* lengths, float* y,
             const float* scale, const float* shift, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  if (d.batch * d.features == 0) return;
  forward_kernel<<<runtime::cuda::grid_for(d.batch * d.features), runtime::cuda::kThreads, 0, stream>>>(
      d, mode, x, lengths, scale, shift, y);
  YNET_CUDA_CHECK_LAUNCH("frame pooling forward");
}

void backward(const FramePoolingShape& shape, PoolingMode mode, const float* x, const int32_t* lengths,
              const float* dy, float* dx, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  if (d.batch * d.features == 0) return;
  backward_kernel<<<runtime::cuda::grid_for(d.batch * d.features), runtime::cuda::kThreads, 0, stream>>>(
      d, mode, x, lengths, dy, dx);
  YNET_CUDA_CHECK_LAUNCH("frame pooling backward");
}

}  // namespace ynet::ops::frame_pooling::cuda
