#pragma once
// Reference batch normalisation in double over x [rows, features]: rows = batch for vectors, or
// batch x time for frames, where lengths[b] says how many of video b's `time` rows are valid frames
// (clamped to [0, time]; the rest is padding):
//   y = gamma * (x - mean) / sqrt(var + epsilon) + beta.
// Training normalises with the mean and the biased variance (divide by N) of the N rows that count:
// every row of a vector batch, the valid frames of a frame batch. Padded frames neither enter the
// statistics nor get a value: their y is 0 and their gradient 0, so the step is exactly the masked
// computation. Inference normalises every row given with the moving statistics (the rows past a
// video's length are read by no later layer). After a training step the moving statistics follow
//   moving = decay * moving + (1 - decay) * batch
// where the variance fed into the moving average is the unbiased one (times N / (N - 1)), as
// TensorFlow's fused batch norm does; a batch without a single valid frame (N = 0) leaves them as
// they are. TensorFlow's defaults (slim/contrib batch_norm, used by the YouTube-8M starter code) are
// epsilon = 1e-3 and decay = 0.999.
//
// Data parallelism (runtime::BatchSlice): a process holding a slice of the global batch normalises
// with the global batch's statistics: the ranks sum their Σx and row counts N (in double), then
// their Σ(x - mean)², so every rank gets the mean, variance and N one process gets, and moves the
// moving statistics identically. Backward sums Σdy and Σdy·x̂ over the ranks for dx, but writes
// this process's own dgamma = Σdy·x̂ and dbeta = Σdy over its rows: with each rank's dy R times the
// global loss's (its loss averages over its G/R rows), dx comes out R times the global gradient of
// its rows, as every other step's, and the trainer's mean of the ranks' dgamma, dbeta is the global
// batch's.

#include <cstddef>
#include <cstdint>

#include "ops/support/batch_collectives.h"

namespace ynet::ops::batch_norm {

struct BatchNormShape {
  std::size_t rows = 0;
  std::size_t features = 0;
  std::size_t time = 0;  // frames per video when the rows are [batch, time] frames with lengths; else 0
};

// Valid frames of a video of `length` frames in `time` rows.
inline std::size_t valid_frames(std::int32_t length, std::size_t time) {
  if (length <= 0) return 0;
  const auto frames = static_cast<std::size_t>(length);
  return frames < time ? frames : time;
}

// Whether row r counts: every row without lengths, the first lengths[b] frames of video b with them.
inline bool counts(const BatchNormShape& shape, const std::int32_t* lengths, std::size_t r) {
  return lengths == nullptr || r % shape.time < valid_frames(lengths[r / shape.time], shape.time);
}

// N, the number of rows that count.
inline std::size_t counted_rows(const BatchNormShape& shape, const std::int32_t* lengths) {
  if (lengths == nullptr) return shape.rows;
  std::size_t n = 0;
  for (std::size_t b = 0; b < shape.rows / shape.time; ++b) n += valid_frames(lengths[b], shape.time);
  return n;
}

constexpr double kDefaultEpsilon = 1e-3;
constexpr double kDefaultDecay = 0.999;

namespace reference {

// Writes y and the batch statistics (mean, biased variance) that backward and the moving-average
// update need; returns N, the rows that counted (over the whole batch `slice` is part of). lengths:
// nullptr for vectors (every row counts).
std::size_t forward_training(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                             const double* beta, const std::int32_t* lengths, double* y, double* batch_mean,
                             double* batch_variance, const runtime::BatchSlice& slice = {});

void forward_inference(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
                       const double* beta, const double* moving_mean, const double* moving_variance, double* y);

// Gradients of a training-mode forward pass; dgamma and dbeta are overwritten (this process's rows'
// share, see above).
void backward(const BatchNormShape& shape, double epsilon, const double* x, const double* gamma,
              const std::int32_t* lengths, const double* batch_mean, const double* batch_variance, const double* dy,
              double* dx, double* dgamma, double* dbeta, const runtime::BatchSlice& slice = {});

// Templated so that the CPU backend applies the same update to its float statistics. `counted` is N.
template <class T>
void update_moving_statistics(const BatchNormShape& shape, std::size_t counted, double decay, const T* batch_mean,
                              const T* batch_variance, T* moving_mean, T* moving_variance) {
  if (counted == 0) return;
  const double bessel = counted > 1 ? static_cast<double>(counted) / static_cast<double>(counted - 1) : 1.0;
  for (std::size_t f = 0; f < shape.features; ++f) {
    moving_mean[f] = static_cast<T>(decay * moving_mean[f] + (1.0 - decay) * batch_mean[f]);
    moving_variance[f] = static_cast<T>(decay * moving_variance[f] + (1.0 - decay) * bessel * batch_variance[f]);
  }
}

}  // namespace reference
}  // namespace ynet::ops::batch_norm
