#include "ops/time_weighted_sum/reference.h"

#include "ops/frame_pooling/reference.h"

namespace ynet::ops::time_weighted_sum::reference {

using frame_pooling::valid_frames;

void forward(const TimeWeightedSumShape& shape, Weighting weighting, const double* h, const std::int32_t* lengths,
             double* y) {
  for (std::size_t b = 0; b < shape.batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape.time);
    for (std::size_t f = 0; f < shape.features; ++f) {
      double sum = 0.0;
      for (std::size_t t = 0; t < frames; ++t) {
        sum += frame_weight(weighting, t, shape.max_frames) * h[(b * shape.time + t) * shape.features + f];
      }
      y[b * shape.features + f] = sum;
    }
  }
}

void backward(const TimeWeightedSumShape& shape, Weighting weighting, const std::int32_t* lengths, const double* dy,
              double* dh) {
  for (std::size_t b = 0; b < shape.batch; ++b) {
    const std::size_t frames = valid_frames(lengths[b], shape.time);
    for (std::size_t t = 0; t < shape.time; ++t) {
      const double weight = t < frames ? frame_weight(weighting, t, shape.max_frames) : 0.0;
      for (std::size_t f = 0; f < shape.features; ++f) {
        dh[(b * shape.time + t) * shape.features + f] = weight * dy[b * shape.features + f];
      }
    }
  }
}

}  // namespace ynet::ops::time_weighted_sum::reference
