#include "ops/frame_pooling/cpu.h"

#include <omp.h>

#include <algorithm>
#include <stdexcept>

namespace ynet::ops::frame_pooling::cpu {

namespace {

// The first frame holding each feature's maximum; a strict comparison keeps the earliest of equal
// values, as the reference does (ties are common: features are dequantised bytes).
[[gnu::target_clones("avx512f", "avx2", "default")]]
void first_argmax(const float* video, std::size_t frames, std::size_t features, float* best_value,
                  std::int32_t* best_frame) {
  std::copy(video, video + features, best_value);
  std::fill(best_frame, best_frame + features, 0);
  for (std::size_t t = 1; t < frames; ++t) {
    const float* frame = video + t * features;
    const auto index = static_cast<std::int32_t>(t);
    for (std::size_t f = 0; f < features; ++f) {
      const bool greater = frame[f] > best_value[f];
      best_value[f] = greater ? frame[f] : best_value[f];
      best_frame[f] = greater ? index : best_frame[f];
    }
  }
}

// One video's valid frames pooled into `out`, frame after frame (each output sums in frame order).
[[gnu::target_clones("avx512f", "avx2", "default")]]
void pool(const float* video, std::size_t frames, std::size_t features, PoolingMode mode, float* out) {
  std::copy(video, video + features, out);
  for (std::size_t t = 1; t < frames; ++t) {
    const float* frame = video + t * features;
    if (mode == PoolingMode::max) {
      for (std::size_t f = 0; f < features; ++f) out[f] = frame[f] > out[f] ? frame[f] : out[f];
    } else {
      for (std::size_t f = 0; f < features; ++f) out[f] += frame[f];
    }
  }
  if (mode == PoolingMode::mean) {
    const float inverse = 1.f / static_cast<float>(frames);
    for (std::size_t f = 0; f < features; ++f) out[f] *= inverse;
  }
}

// The same over scale * x + shift: reading each frame once instead of writing a normalised copy
// of the whole sequence and reading that back.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void pool_affine(const float* video, std::size_t frames, std::size_t features, PoolingMode mode, const float* scale,
                 const float* shift, float* out) {
  for (std::size_t f = 0; f < features; ++f) out[f] = scale[f] * video[f] + shift[f];
  for (std::size_t t = 1; t < frames; ++t) {
    const float* frame = video + t * features;
    if (mode == PoolingMode::max) {
      for (std::size_t f = 0; f < features; ++f) {
        const float v = scale[f] * frame[f] + shift[f];
        out[f] = v > out[f] ? v : out[f];
      }
    } else {
      for (std::size_t f = 0; f < features; ++f) out[f] += scale[f] * frame[f] + shift[f];
    }
  }
  if (mode == PoolingMode::mean) {
    const float inverse = 1.f / static_cast<float>(frames);
    for (std::size_t f = 0; f < features; ++f) out[f] *= inverse;
  }
}

// One video's valid stored-byte frames reduced exactly: the maximum and minimum byte (max mode) or
// the sum (mean and sum) of each feature.
[[gnu::target_clones("arch=x86-64-v4", "avx2", "default")]]
void reduce_bytes(const std::uint8_t* video, std::size_t frames, std::size_t features, PoolingMode mode,
                  std::uint8_t* __restrict most, std::uint8_t* __restrict least, std::int32_t* __restrict sum) {
  if (mode == PoolingMode::max) {
    std::copy(video, video + features, most);
    std::copy(video, video + features, least);
    for (std::size_t t = 1; t < frames; ++t) {
      const std::uint8_t* frame = video + t * features;
      for (std::size_t f = 0; f < features; ++f) {
        most[f] = frame[f] > most[f] ? frame[f] : most[f];
        least[f] = frame[f] < least[f] ? frame[f] : least[f];
      }
    }
    return;
  }
  std::fill(sum, sum + features, 0);
  for (std::size_t t = 0; t < frames; ++t) {
    const std::uint8_t* frame = video + t * features;
    for (std::size_t f = 0; f < features; ++f) sum[f] += frame[f];
  }
}

}  // namespace

Kernel::Kernel(const FramePoolingShape& shape, PoolingMode mode, bool stored_bytes)
    : shape_(shape), mode_(mode), threads_(omp_get_max_threads()), stored_bytes_(stored_bytes) {
  const auto rows = static_cast<std::size_t>(threads_) * shape_.features;
  if (!stored_bytes_) {
    if (mode_ == PoolingMode::max) {
      best_value_.resize(rows);
      best_frame_.resize(rows);
    }
    return;
  }
  byte_slope_.resize(shape_.features);
  byte_offset_.resize(shape_.features);
  if (mode_ == PoolingMode::max) {
    byte_max_.resize(rows);
    byte_min_.resize(rows);
  } else {
    byte_sum_.resize(rows);
  }
}

void Kernel::forward_stored_bytes(const std::uint8_t* q, const std::int32_t* lengths, float dequantize_scale,
                                  float dequantize_bias, float* y, const float* scale, const float* shift) const {
  if (!stored_bytes_) throw std::logic_error("frame_pooling::cpu::Kernel: made for floats, not stored bytes");
  const std::size_t features = shape_.features;
  for (std::size_t f = 0; f < features; ++f) {
    byte_slope_[f] = scale ? scale[f] * dequantize_scale : dequantize_scale;
    byte_offset_[f] = scale ? scale[f] * dequantize_bias + shift[f] : dequantize_bias;
  }
  const float* slope = byte_slope_.data();
  const float* offset = byte_offset_.data();
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape_.time);
    const std::uint8_t* video = q + static_cast<std::size_t>(b) * shape_.time * features;
    float* out = y + static_cast<std::size_t>(b) * features;
    if (frames == 0) {
      std::fill(out, out + features, 0.f);
      continue;
    }
    const std::size_t scratch = static_cast<std::size_t>(omp_get_thread_num()) * features;
    if (mode_ == PoolingMode::max) {
      std::uint8_t* most = byte_max_.data() + scratch;
      std::uint8_t* least = byte_min_.data() + scratch;
      reduce_bytes(video, frames, features, mode_, most, least, nullptr);
      for (std::size_t f = 0; f < features; ++f)
        out[f] = slope[f] * static_cast<float>(slope[f] < 0.f ? least[f] : most[f]) + offset[f];
      continue;
    }
    std::int32_t* sum = byte_sum_.data() + scratch;
    reduce_bytes(video, frames, features, mode_, nullptr, nullptr, sum);
    const auto n = static_cast<float>(frames);
    for (std::size_t f = 0; f < features; ++f) {
      const auto total = static_cast<float>(sum[f]);
      out[f] = mode_ == PoolingMode::mean ? slope[f] * (total / n) + offset[f] : slope[f] * total + n * offset[f];
    }
  }
}

void Kernel::forward(const float* x, const std::int32_t* lengths, float* y, const float* scale,
                     const float* shift) const {
  const std::size_t features = shape_.features;
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape_.time);
    const float* video = x + static_cast<std::size_t>(b) * shape_.time * features;
    float* out = y + static_cast<std::size_t>(b) * features;
    if (frames == 0) {
      std::fill(out, out + features, 0.f);
    } else if (scale) {
      pool_affine(video, frames, features, mode_, scale, shift, out);
    } else {
      pool(video, frames, features, mode_, out);
    }
  }
}

void Kernel::backward(const float* x, const std::int32_t* lengths, const float* dy, float* dx) const {
  const std::size_t features = shape_.features;
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape_.time);
    const std::size_t offset = static_cast<std::size_t>(b) * shape_.time * features;
    const float* video = x + offset;
    float* grad = dx + offset;
    const float* upstream = dy + static_cast<std::size_t>(b) * features;
    std::fill(grad, grad + shape_.time * features, 0.f);
    if (frames == 0) continue;
    if (mode_ == PoolingMode::max) {
      const std::size_t scratch = static_cast<std::size_t>(omp_get_thread_num()) * features;
      float* best_value = best_value_.data() + scratch;
      std::int32_t* best_frame = best_frame_.data() + scratch;
      first_argmax(video, frames, features, best_value, best_frame);
      for (std::size_t f = 0; f < features; ++f) grad[static_cast<std::size_t>(best_frame[f]) * features + f] = upstream[f];
      continue;
    }
    const float scale = mode_ == PoolingMode::mean ? 1.f / static_cast<float>(frames) : 1.f;
    for (std::size_t t = 0; t < frames; ++t) {
      for (std::size_t f = 0; f < features; ++f) grad[t * features + f] = upstream[f] * scale;
    }
  }
}

}  // namespace ynet::ops::frame_pooling::cpu
