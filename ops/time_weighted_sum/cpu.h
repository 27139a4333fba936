#pragma once
// Time-weighted sum on floats (math in reference.h): an OpenMP loop over videos, each output summed
// by one thread in frame order so that results do not depend on the thread count.

#include <cstddef>
#include <cstdint>

#include "ops/time_weighted_sum/reference.h"

namespace ynet::ops::time_weighted_sum::cpu {

class Kernel {
 public:
  Kernel(const TimeWeightedSumShape& shape, Weighting weighting);

  void forward(const float* h, const std::int32_t* lengths, float* y) const;
  void backward(const std::int32_t* lengths, const float* dy, float* dh) const;

 private:
  float weight(std::size_t t) const { return static_cast<float>(frame_weight(weighting_, t, shape_.max_frames)); }

  TimeWeightedSumShape shape_;
  Weighting weighting_;
};

}  // namespace ynet::ops::time_weighted_sum::cpu
