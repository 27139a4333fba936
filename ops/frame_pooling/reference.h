#pragma once
// Reference frame pooling in double: x [batch, time, features] with int32 lengths[batch] -> y
// [batch, features], pooling only the first lengths[b] frames of video b (lengths are clamped to
// [0, time]). A video without valid frames pools to zeros in every mode. Max backward sends the
// gradient to the first frame that attains the maximum; padded frames always get zero gradient.
// With scale and shift (per feature; both or neither) the forward pass pools scale * x + shift,
// an inference BatchNorm folded into the pooling; there is no backward pass for that form.
// forward_stored_bytes pools frames kept as bytes q, each standing for dequantize_scale * q +
// dequantize_bias (then through scale and shift, when given).

#include <cstddef>
#include <cstdint>

namespace ynet::ops::frame_pooling {

enum class PoolingMode { max, mean, sum };

struct FramePoolingShape {
  std::size_t batch = 0;
  std::size_t time = 0;
  std::size_t features = 0;
};

inline std::size_t valid_frames(std::int32_t length, std::size_t time) {
  if (length <= 0) return 0;
  const auto frames = static_cast<std::size_t>(length);
  return frames < time ? frames : time;
}

namespace reference {

void forward(const FramePoolingShape& shape, PoolingMode mode, const double* x, const std::int32_t* lengths,
             double* y, const double* scale = nullptr, const double* shift = nullptr);
void forward_stored_bytes(const FramePoolingShape& shape, PoolingMode mode, const std::uint8_t* q,
                          const std::int32_t* lengths, double dequantize_scale, double dequantize_bias, double* y,
                          const double* scale = nullptr, const double* shift = nullptr);
// dx is fully written, zeros included.
void backward(const FramePoolingShape& shape, PoolingMode mode, const double* x, const std::int32_t* lengths,
              const double* dy, double* dx);

}  // namespace reference
}  // namespace ynet::ops::frame_pooling
