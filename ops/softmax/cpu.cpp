#include "ops/softmax/cpu.h"

#include <algorithm>
#include <cstdint>

namespace ynet::ops::softmax::cpu {

using dnnl_call::bind;
using dnnl_call::plain_desc;
using dnnl_call::unbound_memory;
using tag = dnnl::memory::format_tag;

Kernel::Kernel(const SoftmaxShape& shape, const dnnl::engine& engine) : shape_(shape) {
  if (shape.elements() == 0) return;
  const auto runs = static_cast<dnnl::memory::dim>(shape.batch * shape.frames * shape.runs);
  const auto width = static_cast<dnnl::memory::dim>(shape.width);
  const auto desc = plain_desc({runs, width}, tag::nc);
  x_ = unbound_memory(desc, engine);
  y_ = unbound_memory(desc, engine);
  const dnnl::softmax_forward::primitive_desc forward_pd(
      dnnl::softmax_forward::desc(dnnl::prop_kind::forward_training, desc, 1), engine);
  forward_ = dnnl_call::Call(dnnl::softmax_forward(forward_pd), {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DST, y_}});
}

void Kernel::forward(const float* x, const std::int32_t* lengths, float* y, const dnnl::stream& stream) const {
  if (shape_.elements() == 0) return;
  bind(x_, x);
  bind(y_, y);
  forward_.execute(stream);
  if (lengths == nullptr) return;
  const std::size_t frame = shape_.frame_size();
  for (std::size_t b = 0; b < shape_.batch; ++b) {
    const std::size_t valid = valid_frames(lengths, b, shape_.frames);
    float* video = y + b * shape_.frames * frame;
    std::fill(video + valid * frame, video + shape_.frames * frame, 0.0f);
  }
}

void backward(const SoftmaxShape& shape, const float* y, const float* dy, float* dx) {
  const auto runs = static_cast<std::int64_t>(shape.batch * shape.frames * shape.runs);
  const std::size_t width = shape.width;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < runs; ++r) {
    const std::size_t at = static_cast<std::size_t>(r) * width;
    double dot = 0.0;
    for (std::size_t k = 0; k < width; ++k) dot += static_cast<double>(y[at + k]) * dy[at + k];
    const auto projection = static_cast<float>(dot);
    for (std::size_t k = 0; k < width; ++k) dx[at + k] = y[at + k] * (dy[at + k] - projection);
  }
}

}  // namespace ynet::ops::softmax::cpu
