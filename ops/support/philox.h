#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator, so the random bits of element e are a pure function of (key, e). Dropout
// uses it so that every backend and every thread count drops exactly the same units, and backward
// regenerates the mask instead of storing it. Usable from CUDA device code.

#include <cstdint>

#if defined(__CUDACC__)
#define YNET_PHILOX_HOST_DEVICE __host__ __device__
#else
#define YNET_PHILOX_HOST_DEVICE
#endif

namespace ynet::ops::dropout::philox {

struct Block {
  std::uint32_t word[4];
};

YNET_PHILOX_HOST_DEVICE inline Block philox4x32_10(Block counter, std::uint32_t key0, std::uint32_t key1) {
  constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
  constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
  constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t product0 = static_cast<std::uint64_t>(kMultiplier0) * counter.word[0];
    const std::uint64_t product1 = static_cast<std::uint64_t>(kMultiplier1) * counter.word[2];
    const auto high0 = static_cast<std::uint32_t>(product0 >> 32), low0 = static_cast<std::uint32_t>(product0);
    const auto high1 = static_cast<std::uint32_t>(product1 >> 32), low1 = static_cast<std::uint32_t>(product1);
    counter = Block{{high1 ^ counter.word[1] ^ key0, low1, high0 ^ counter.word[3] ^ key1, low0}};
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

// Identifies one dropout mask: the run's seed, the training step and the tensor (which dropout site).
struct MaskKey {
  std::uint64_t seed = 0;
  std::uint64_t step = 0;
  std::uint32_t tensor_id = 0;
};

// The 128-bit counter of the block holding elements 4*group .. 4*group+3. The group index occupies
// 32 bits, which bounds a tensor at 2^34 elements.
YNET_PHILOX_HOST_DEVICE inline Block mask_block(const MaskKey& key, std::uint64_t group) {
  const Block counter{{static_cast<std::uint32_t>(group), key.tensor_id, static_cast<std::uint32_t>(key.step),
                       static_cast<std::uint32_t>(key.step >> 32)}};
  return philox4x32_10(counter, static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32));
}

// An element is dropped when its 32 random bits fall below the threshold, so the comparison is exact
// integer arithmetic on every device. Drop probability = threshold / 2^32; rate must be in [0, 1).
inline std::uint32_t drop_threshold(double rate) {
  const double scaled = rate * 4294967296.0;
  return scaled >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(scaled);
}

YNET_PHILOX_HOST_DEVICE inline bool keeps(const MaskKey& key, std::uint64_t element, std::uint32_t threshold) {
  return mask_block(key, element / 4).word[element % 4] >= threshold;
}

}  // namespace ynet::ops::dropout::philox
