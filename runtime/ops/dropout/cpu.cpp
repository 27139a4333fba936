#include "runtime/ops/dropout/cpu.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace ynet::ops::dropout::cpu {

Kernel::Kernel(std::size_t count, double rate) : count_(count) {
  if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
  threshold_ = philox::drop_threshold(rate);
  scale_ = static_cast<float>(1.0 / (1.0 - rate));
}

void Kernel::forward(const philox::MaskKey& key, const float* x, float* y) const { apply_mask(key, x, y); }

void Kernel::backward(const philox::MaskKey& key, const float* dy, float* dx) const { apply_mask(key, dy, dx); }

void Kernel::apply_mask(const philox::MaskKey& key, const float* in, float* out) const {
  const auto groups = static_cast<std::int64_t>((count_ + 3) / 4);
#pragma omp parallel for schedule(static)
  for (std::int64_t group = 0; group < groups; ++group) {
    const philox::Block bits = philox::mask_block(key, static_cast<std::uint64_t>(group));
    const std::size_t first = static_cast<std::size_t>(group) * 4;
    const std::size_t last = std::min(first + 4, count_);
    for (std::size_t i = first; i < last; ++i) {
      out[i] = bits.word[i - first] >= threshold_ ? in[i] * scale_ : 0.f;
    }
  }
}

}  // namespace ynet::ops::dropout::cpu
