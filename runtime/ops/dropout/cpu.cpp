#include "runtime/ops/dropout/cpu.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace ynet::ops::dropout::cpu {
namespace {

// Philox blocks are produced sixteen at a time in structure-of-arrays form: the rounds then become
// plain element-wise loops over 32x32->64-bit products, which the compiler turns into vector
// multiplies (one block per lane). Counter and key schedule are exactly philox::mask_block's.
constexpr std::size_t kLanes = 16;
constexpr std::size_t kChunk = 4 * kLanes;  // elements covered by one batch of blocks

// The random words of one chunk in element order: bits[4 * lane + word].
struct Lanes {
  std::uint32_t bits[kChunk];
};

inline void philox_lanes(const philox::MaskKey& key, std::uint64_t first_group, Lanes& out) {
  constexpr std::uint32_t kMultiplier0 = 0xD2511F53u, kMultiplier1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  std::uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) {
    c0[l] = static_cast<std::uint32_t>(first_group + l);
    c1[l] = key.tensor_id;
    c2[l] = static_cast<std::uint32_t>(key.step);
    c3[l] = static_cast<std::uint32_t>(key.step >> 32);
  }
  auto key0 = static_cast<std::uint32_t>(key.seed), key1 = static_cast<std::uint32_t>(key.seed >> 32);
  for (int round = 0; round < 10; ++round) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      const std::uint64_t product0 = static_cast<std::uint64_t>(kMultiplier0) * c0[l];
      const std::uint64_t product1 = static_cast<std::uint64_t>(kMultiplier1) * c2[l];
      const auto high0 = static_cast<std::uint32_t>(product0 >> 32), low0 = static_cast<std::uint32_t>(product0);
      const auto high1 = static_cast<std::uint32_t>(product1 >> 32), low1 = static_cast<std::uint32_t>(product1);
      const std::uint32_t next0 = high1 ^ c1[l] ^ key0, next2 = high0 ^ c3[l] ^ key1;
      c0[l] = next0;
      c1[l] = low1;
      c2[l] = next2;
      c3[l] = low0;
    }
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  for (std::size_t l = 0; l < kLanes; ++l) {
    out.bits[4 * l] = c0[l];
    out.bits[4 * l + 1] = c1[l];
    out.bits[4 * l + 2] = c2[l];
    out.bits[4 * l + 3] = c3[l];
  }
}

// One chunk: its random words, then the mask applied to `width` <= kChunk elements. `in` and
// `out` may be the same buffer (element k is read before it is written).
[[gnu::target_clones("avx512f", "avx2", "default")]]
void mask_chunk(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                const float* in, float* out, std::size_t width) {
  Lanes random;
  philox_lanes(key, chunk * kLanes, random);
  for (std::size_t k = 0; k < width; ++k) {
    const float value = in[k];
    out[k] = random.bits[k] >= threshold ? value * scale : 0.f;
  }
}

}  // namespace

Kernel::Kernel(std::size_t count, double rate) : count_(count) {
  if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
  threshold_ = philox::drop_threshold(rate);
  scale_ = static_cast<float>(1.0 / (1.0 - rate));
}

void Kernel::forward(const philox::MaskKey& key, const float* x, float* y) const { apply_mask(key, x, y); }

void Kernel::backward(const philox::MaskKey& key, const float* dy, float* dx) const { apply_mask(key, dy, dx); }

void Kernel::apply_mask(const philox::MaskKey& key, const float* in, float* out) const {
  const auto chunks = static_cast<std::int64_t>((count_ + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static)
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    const std::size_t first = static_cast<std::size_t>(chunk) * kChunk;
    mask_chunk(key, static_cast<std::uint64_t>(chunk), threshold_, scale_, in + first, out + first,
               std::min(kChunk, count_ - first));
  }
}

}  // namespace ynet::ops::dropout::cpu
