#pragma once
// Reference softmax in double over runs of `width` values: x is [batch, frames, runs, width]
// (a vector batch has frames = 1; a [B, T, F] sequence with width F has runs = 1), and
//   y = e^(x - max) / sum e^(x - max)
// over each run. With lengths, the runs of frame t >= lengths[b] of video b are 0 in y (lengths
// clamped to [0, frames]); without, every frame counts. Backward needs y alone:
//   dx = y * (dy - <y, dy>)   per run,
// which is 0 on the padded frames since y is.
#include <cstddef>
#include <cstdint>

namespace ynet::ops::softmax {

struct SoftmaxShape {
  std::size_t batch = 0;
  std::size_t frames = 1;
  std::size_t runs = 1;   // softmax runs per frame
  std::size_t width = 0;  // values per run
  std::size_t frame_size() const { return runs * width; }
  std::size_t elements() const { return batch * frames * frame_size(); }
};

inline std::size_t valid_frames(const std::int32_t* lengths, std::size_t b, std::size_t frames) {
  if (lengths == nullptr) return frames;
  const std::int32_t length = lengths[b];
  if (length <= 0) return 0;
  return static_cast<std::size_t>(length) < frames ? static_cast<std::size_t>(length) : frames;
}

namespace reference {

void forward(const SoftmaxShape& shape, const double* x, const std::int32_t* lengths, double* y);
// dx is fully written.
void backward(const SoftmaxShape& shape, const double* y, const double* dy, double* dx);

}  // namespace reference
}  // namespace ynet::ops::softmax
