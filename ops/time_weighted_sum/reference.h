#pragma once
// Reference time-weighted sum in double: h [batch, time, features], int32 lengths[batch] ->
//   y[b, f] = sum over valid frames t = 1..lengths[b] of w_t * h[b, t, f]
// with w_t = t / max_frames (linear) or 1 / max_frames (uniform); padded frames weigh 0. max_frames
// is the spec's frame limit (normally equal to time). Linear in h, so backward is dh = w_t * dy on
// valid frames and 0 elsewhere.

#include <cstddef>
#include <cstdint>

namespace ynet::ops::time_weighted_sum {

enum class Weighting { linear, uniform };

struct TimeWeightedSumShape {
  std::size_t batch = 0;
  std::size_t time = 0;
  std::size_t features = 0;
  std::size_t max_frames = 0;
};

// Weight of the frame at zero-based index t.
inline double frame_weight(Weighting weighting, std::size_t t, std::size_t max_frames) {
  const double numerator = weighting == Weighting::linear ? static_cast<double>(t + 1) : 1.0;
  return numerator / static_cast<double>(max_frames);
}

namespace reference {

void forward(const TimeWeightedSumShape& shape, Weighting weighting, const double* h, const std::int32_t* lengths,
             double* y);
// dh is fully written, zeros included.
void backward(const TimeWeightedSumShape& shape, Weighting weighting, const std::int32_t* lengths, const double* dy,
              double* dh);

}  // namespace reference
}  // namespace ynet::ops::time_weighted_sum
