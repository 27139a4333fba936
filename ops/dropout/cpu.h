#pragma once
// Inverted dropout on floats (math and mask as in reference.h). oneDNN has no dropout primitive in
// this version, so this is an OpenMP loop over chunks of sixteen 4-element Philox blocks computed in
// vector lanes (AVX-512 intrinsics where the CPU has them): each block comes from its own counter, so
// the mask does not depend on the thread count.

#include <cstddef>
#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::dropout::cpu {

// The mask of elements [begin, end) of one chunk of kChunkElements elements (sixteen Philox blocks),
// by each implementation; in and out point at element `begin`. Kernel picks the AVX-512 one where
// the CPU has it. Exposed so that tests can hold them to each other.
namespace detail {
inline constexpr std::size_t kChunkElements = 64;
void mask_chunk_portable(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                         const float* in, float* out, std::size_t begin, std::size_t end);
bool have_avx512_mask();
// Only where have_avx512_mask().
void mask_chunk_avx512(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                       const float* in, float* out, std::size_t begin, std::size_t end);
}  // namespace detail

class Kernel {
 public:
  // Throws std::invalid_argument unless 0 <= rate < 1.
  Kernel(std::size_t count, double rate);

  // x and y may alias; so may dy and dx. Element e of x is element first_element + e of the tensor
  // the key draws for (the global batch's, for a process holding a slice of it).
  void forward(const philox::MaskKey& key, std::uint64_t first_element, const float* x, float* y) const;
  void backward(const philox::MaskKey& key, std::uint64_t first_element, const float* dy, float* dx) const;
  // The mask itself: keep[e] = 1 / (1 - rate) for a kept element, 0 for a dropped one (what an LSTM
  // stack takes between its layers, lstm/dropout_keep.h).
  void keep_mask(const philox::MaskKey& key, std::uint64_t first_element, float* keep) const;

 private:
  // in_step 1 reads in[e] for element e; 0 reads in[0 .. kChunkElements) for every chunk (ones).
  void apply_mask(const philox::MaskKey& key, std::uint64_t first_element, const float* in, std::size_t in_step,
                  float* out) const;

  std::size_t count_;
  std::uint32_t threshold_;
  float scale_;
};

}  // namespace ynet::ops::dropout::cpu
