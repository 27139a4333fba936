#include "ops/softmax/reference.h"

#include <algorithm>
#include <cmath>

namespace ynet::ops::softmax::reference {

void forward(const SoftmaxShape& s, const double* x, const std::int32_t* lengths, double* y) {
  const std::size_t frame = s.frame_size();
  for (std::size_t b = 0; b < s.batch; ++b) {
    const std::size_t valid = valid_frames(lengths, b, s.frames);
    for (std::size_t t = 0; t < s.frames; ++t) {
      const std::size_t at = (b * s.frames + t) * frame;
      if (t >= valid) {
        std::fill(y + at, y + at + frame, 0.0);
        continue;
      }
      for (std::size_t r = 0; r < s.runs; ++r) {
        const double* in = x + at + r * s.width;
        double* out = y + at + r * s.width;
        const double top = *std::max_element(in, in + s.width);
        double sum = 0.0;
        for (std::size_t k = 0; k < s.width; ++k) sum += out[k] = std::exp(in[k] - top);
        for (std::size_t k = 0; k < s.width; ++k) out[k] /= sum;
      }
    }
  }
}

void backward(const SoftmaxShape& s, const double* y, const double* dy, double* dx) {
  const std::size_t runs = s.batch * s.frames * s.runs;
  for (std::size_t r = 0; r < runs; ++r) {
    const std::size_t at = r * s.width;
    double dot = 0.0;
    for (std::size_t k = 0; k < s.width; ++k) dot += y[at + k] * dy[at + k];
    for (std::size_t k = 0; k < s.width; ++k) dx[at + k] = y[at + k] * (dy[at + k] - dot);
  }
}

}  // namespace ynet::ops::softmax::reference
