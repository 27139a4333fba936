#include "ops/dropout/reference.h"

#include <stdexcept>

namespace ynet::ops::dropout::reference {

namespace {

void apply_mask(double rate, const philox::MaskKey& key, std::uint64_t first_element, const double* in, double* out,
                std::size_t count) {
  if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
  const std::uint32_t threshold = philox::drop_threshold(rate);
  const double scale = 1.0 / (1.0 - rate);
  for (std::size_t i = 0; i < count; ++i) out[i] = philox::keeps(key, first_element + i, threshold) ? in[i] * scale : 0.0;
}

}  // namespace

void forward(double rate, const philox::MaskKey& key, std::uint64_t first_element, const double* x, double* y,
             std::size_t count) {
  apply_mask(rate, key, first_element, x, y, count);
}

void backward(double rate, const philox::MaskKey& key, std::uint64_t first_element, const double* dy, double* dx,
              std::size_t count) {
  apply_mask(rate, key, first_element, dy, dx, count);
}

}  // namespace ynet::ops::dropout::reference
