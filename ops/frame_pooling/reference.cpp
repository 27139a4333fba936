#include "ops/frame_pooling/reference.h"

#include <algorithm>

namespace ynet::ops::frame_pooling::reference {

namespace {

std::size_t index(const FramePoolingShape& s, std::size_t b, std::size_t t, std::size_t f) {
  return (b * s.time + t) * s.features + f;
}

std::size_t first_argmax(const FramePoolingShape& s, const double* x, std::size_t b, std::size_t frames,
                         std::size_t f) {
  std::size_t best = 0;
  for (std::size_t t = 1; t < frames; ++t) {
    if (x[index(s, b, t, f)] > x[index(s, b, best, f)]) best = t;
  }
  return best;
}

}  // namespace

namespace {

// The pooling of x_at(b, t, f), each valid frame's value mapped through scale and shift if given.
template <class ValueAt>
void pool(const FramePoolingShape& shape, PoolingMode mode, ValueAt x_at, const std::int32_t* lengths, double* y,
          const double* scale, const double* shift) {
  for (std::size_t b = 0; b < shape.batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape.time);
    for (std::size_t f = 0; f < shape.features; ++f) {
      auto frame_value = [&](std::size_t t) {
        const double v = x_at(index(shape, b, t, f));
        return scale ? scale[f] * v + shift[f] : v;
      };
      double pooled = 0.0;
      if (frames > 0 && mode == PoolingMode::max) {
        pooled = frame_value(0);
        for (std::size_t t = 1; t < frames; ++t) pooled = std::max(pooled, frame_value(t));
      } else if (frames > 0) {
        for (std::size_t t = 0; t < frames; ++t) pooled += frame_value(t);
        if (mode == PoolingMode::mean) pooled /= static_cast<double>(frames);
      }
      y[b * shape.features + f] = pooled;
    }
  }
}

}  // namespace

void forward(const FramePoolingShape& shape, PoolingMode mode, const double* x, const std::int32_t* lengths,
             double* y, const double* scale, const double* shift) {
  pool(shape, mode, [x](std::size_t i) { return x[i]; }, lengths, y, scale, shift);
}

void forward_stored_bytes(const FramePoolingShape& shape, PoolingMode mode, const std::uint8_t* q,
                          const std::int32_t* lengths, double dequantize_scale, double dequantize_bias, double* y,
                          const double* scale, const double* shift) {
  const auto value = [=](std::size_t i) { return dequantize_scale * q[i] + dequantize_bias; };
  pool(shape, mode, value, lengths, y, scale, shift);
}

void backward(const FramePoolingShape& shape, PoolingMode mode, const double* x, const std::int32_t* lengths,
              const double* dy, double* dx) {
  for (std::size_t b = 0; b < shape.batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape.time);
    for (std::size_t f = 0; f < shape.features; ++f) {
      for (std::size_t t = 0; t < shape.time; ++t) dx[index(shape, b, t, f)] = 0.0;
      if (frames == 0) continue;
      const double g = dy[b * shape.features + f];
      if (mode == PoolingMode::max) {
        dx[index(shape, b, first_argmax(shape, x, b, frames, f), f)] = g;
      } else {
        const double share = mode == PoolingMode::mean ? g / static_cast<double>(frames) : g;
        for (std::size_t t = 0; t < frames; ++t) dx[index(shape, b, t, f)] = share;
      }
    }
  }
}

}  // namespace ynet::ops::frame_pooling::reference
