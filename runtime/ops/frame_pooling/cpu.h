#pragma once
// Frame pooling on floats (math in reference.h). A reduction over a variable number of frames per
// video has no oneDNN primitive, so this is an OpenMP loop over videos; each output is accumulated
// by one thread in frame order, so results do not depend on the thread count.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/ops/frame_pooling/reference.h"

namespace ynet::ops::frame_pooling::cpu {

class Kernel {
 public:
  Kernel(const FramePoolingShape& shape, PoolingMode mode);

  // scale and shift (both or neither): pool scale * x + shift, a folded inference BatchNorm.
  void forward(const float* x, const std::int32_t* lengths, float* y, const float* scale = nullptr,
               const float* shift = nullptr) const;
  // Max pooling recomputes the argmax (the first frame holding the maximum) from x instead of
  // keeping it from forward, scanning frames in memory order with a running maximum per feature.
  void backward(const float* x, const std::int32_t* lengths, const float* dy, float* dx) const;

 private:
  FramePoolingShape shape_;
  PoolingMode mode_;
  int threads_;  // the pool size at bind time: one scratch row per thread
  // Max backward's scratch: the running maximum and its frame, one row of `features` per OpenMP
  // thread, sized once here so that backward allocates nothing.
  mutable std::vector<float> best_value_;
  mutable std::vector<std::int32_t> best_frame_;
};

}  // namespace ynet::ops::frame_pooling::cpu
