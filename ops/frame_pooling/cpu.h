#pragma once
// Frame pooling on floats (math in reference.h). A reduction over a variable number of frames per
// video has no oneDNN primitive, so this is an OpenMP loop over videos; each output is accumulated
// by one thread in frame order, so results do not depend on the thread count.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/frame_pooling/reference.h"

namespace ynet::ops::frame_pooling::cpu {

class Kernel {
 public:
  // stored_bytes: the kernel pools u8 frames (forward_stored_bytes), forward only.
  Kernel(const FramePoolingShape& shape, PoolingMode mode, bool stored_bytes = false);

  // scale and shift (both or neither): pool scale * x + shift, a folded inference BatchNorm.
  void forward(const float* x, const std::int32_t* lengths, float* y, const float* scale = nullptr,
               const float* shift = nullptr) const;
  // Frames kept as bytes q (reference.h's forward_stored_bytes). The integers are reduced as they
  // are, exactly (max, min or sum of bytes), and mapped once per video: with a = scale * s and
  // c = scale * b + shift, max pools to a * max q + c (a * min q + c where a < 0), sum to
  // a * sum q + n * c, mean to a * mean q + c.
  void forward_stored_bytes(const std::uint8_t* q, const std::int32_t* lengths, float dequantize_scale,
                            float dequantize_bias, float* y, const float* scale = nullptr,
                            const float* shift = nullptr) const;
  // Max pooling recomputes the argmax (the first frame holding the maximum) from x instead of
  // keeping it from forward, scanning frames in memory order with a running maximum per feature.
  void backward(const float* x, const std::int32_t* lengths, const float* dy, float* dx) const;

 private:
  FramePoolingShape shape_;
  PoolingMode mode_;
  int threads_;  // the pool size at bind time: one scratch row per thread
  bool stored_bytes_;
  // Max backward's scratch: the running maximum and its frame, one row of `features` per OpenMP
  // thread, sized once here so that backward allocates nothing.
  mutable std::vector<float> best_value_;
  mutable std::vector<std::int32_t> best_frame_;
  // forward_stored_bytes' per-feature map (a, c) and each thread's integer reductions.
  mutable std::vector<float> byte_slope_, byte_offset_;
  mutable std::vector<std::uint8_t> byte_max_, byte_min_;
  mutable std::vector<std::int32_t> byte_sum_;
};

}  // namespace ynet::ops::frame_pooling::cpu
