#pragma once
// Fills the eps buffer of noisy gating ([rows, experts] standard normal samples, moe_shape.h) for one
// training step from the counter-based Philox generator, so that every backend and thread count
// gates alike. Box-Muller on the four 32-bit words of a block gives two samples; sample e uses
// block e / 2. A process holding a slice of a data-parallel batch draws its rows' samples of the
// global batch's [G * T, experts] tensor: eps[0] is sample first_sample there.
#include <cmath>
#include <cstdint>
#include <numbers>

#include "ops/support/philox.h"

namespace ynet::ops::moe {

template <class T>
void fill_gating_noise(const dropout::philox::MaskKey& key, uint64_t first_sample, int64_t count, T* eps) {
  constexpr double kTwoToMinus32 = 1.0 / 4294967296.0;
  for (int64_t e = 0; e < count; ++e) {
    const std::uint64_t sample = first_sample + static_cast<std::uint64_t>(e);
    const dropout::philox::Block block = dropout::philox::mask_block(key, sample / 2);
    const std::uint64_t lane = sample % 2;
    // u1 in (0, 1) keeps the logarithm finite.
    const double u1 = (static_cast<double>(block.word[2 * lane]) + 0.5) * kTwoToMinus32;
    const double u2 = static_cast<double>(block.word[2 * lane + 1]) * kTwoToMinus32;
    eps[e] = static_cast<T>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
  }
}

}  // namespace ynet::ops::moe
