#pragma once
// Inverted dropout on floats (math and mask as in reference.h). oneDNN has no dropout primitive in
// this version, so this is an OpenMP loop over chunks of sixteen 4-element Philox blocks computed in
// vector lanes: each block comes from its own counter, so the mask does not depend on the thread count.

#include <cstddef>
#include <cstdint>

#include "runtime/ops/dropout/philox.h"

namespace ynet::ops::dropout::cpu {

class Kernel {
 public:
  // Throws std::invalid_argument unless 0 <= rate < 1.
  Kernel(std::size_t count, double rate);

  // x and y may alias; so may dy and dx.
  void forward(const philox::MaskKey& key, const float* x, float* y) const;
  void backward(const philox::MaskKey& key, const float* dy, float* dx) const;

 private:
  void apply_mask(const philox::MaskKey& key, const float* in, float* out) const;

  std::size_t count_;
  std::uint32_t threshold_;
  float scale_;
};

}  // namespace ynet::ops::dropout::cpu
