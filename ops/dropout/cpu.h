#pragma once
// Inverted dropout on floats (math and mask as in reference.h). oneDNN has no dropout primitive in
// this version, so this is an OpenMP loop over chunks of sixteen 4-element Philox blocks computed in
// vector lanes (AVX-512 intrinsics where the CPU has them): each block comes from its own counter, so
// the mask does not depend on the thread count.

#include <cstddef>
#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::dropout::cpu {

// The mask of one chunk of kChunkElements elements (sixteen Philox blocks), by each implementation;
// Kernel picks the AVX-512 one where the CPU has it. Exposed so that tests can hold them to each other.
namespace detail {
inline constexpr std::size_t kChunkElements = 64;
void mask_chunk_portable(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                         const float* in, float* out, std::size_t width);
bool have_avx512_mask();
// Only where have_avx512_mask().
void mask_chunk_avx512(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                       const float* in, float* out, std::size_t width);
}  // namespace detail

class Kernel {
 public:
  // Throws std::invalid_argument unless 0 <= rate < 1.
  Kernel(std::size_t count, double rate);

  // x and y may alias; so may dy and dx.
  void forward(const philox::MaskKey& key, const float* x, float* y) const;
  void backward(const philox::MaskKey& key, const float* dy, float* dx) const;
  // The mask itself: keep[e] = 1 / (1 - rate) for a kept element, 0 for a dropped one (what an LSTM
  // stack takes between its layers, lstm/dropout_keep.h).
  void keep_mask(const philox::MaskKey& key, float* keep) const;

 private:
  // in_stride 0 reads the same kChunkElements inputs for every chunk.
  void apply_mask(const philox::MaskKey& key, const float* in, std::size_t in_stride, float* out) const;

  std::size_t count_;
  std::uint32_t threshold_;
  float scale_;
};

}  // namespace ynet::ops::dropout::cpu
