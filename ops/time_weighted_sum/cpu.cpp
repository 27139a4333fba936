#include "ops/time_weighted_sum/cpu.h"

#include <algorithm>

#include "ops/frame_pooling/reference.h"

namespace ynet::ops::time_weighted_sum::cpu {

using frame_pooling::valid_frames;

Kernel::Kernel(const TimeWeightedSumShape& shape, Weighting weighting) : shape_(shape), weighting_(weighting) {}

void Kernel::forward(const float* h, const std::int32_t* lengths, float* y) const {
  const std::size_t features = shape_.features;
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape_.time);
    const float* video = h + static_cast<std::size_t>(b) * shape_.time * features;
    float* out = y + static_cast<std::size_t>(b) * features;
    std::fill(out, out + features, 0.f);
    for (std::size_t t = 0; t < frames; ++t) {
      const float w = weight(t);
      const float* frame = video + t * features;
      for (std::size_t f = 0; f < features; ++f) out[f] += w * frame[f];
    }
  }
}

void Kernel::backward(const std::int32_t* lengths, const float* dy, float* dh) const {
  const std::size_t features = shape_.features;
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape_.time);
    const float* upstream = dy + static_cast<std::size_t>(b) * features;
    float* grad = dh + static_cast<std::size_t>(b) * shape_.time * features;
    for (std::size_t t = 0; t < frames; ++t) {
      const float w = weight(t);
      for (std::size_t f = 0; f < features; ++f) grad[t * features + f] = w * upstream[f];
    }
    std::fill(grad + frames * features, grad + shape_.time * features, 0.f);
  }
}

}  // namespace ynet::ops::time_weighted_sum::cpu
