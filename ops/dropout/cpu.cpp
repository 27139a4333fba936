#include "ops/dropout/cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

namespace ynet::ops::dropout::cpu {
namespace {

// Philox blocks are produced sixteen at a time in structure-of-arrays form: the rounds then become
// plain element-wise loops over 32x32->64-bit products, which the compiler turns into vector
// multiplies (one block per lane). Counter and key schedule are exactly philox::mask_block's.
constexpr std::size_t kLanes = 16;
constexpr std::size_t kChunk = detail::kChunkElements;  // elements covered by one batch of blocks
static_assert(kChunk == 4 * kLanes);

constexpr std::uint32_t kMultiplier0 = 0xD2511F53u, kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

// The random words of one chunk in element order: bits[4 * lane + word].
struct Lanes {
  std::uint32_t bits[kChunk];
};

inline void philox_lanes(const philox::MaskKey& key, std::uint64_t first_group, Lanes& out) {
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

}  // namespace

// One chunk: its random words, then the mask applied to its elements [begin, end). `in` and `out`
// may be the same buffer (element k is read before it is written).
[[gnu::target_clones("avx512f", "avx2", "default")]]
void detail::mask_chunk_portable(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                                 const float* in, float* out, std::size_t begin, std::size_t end) {
  Lanes random;
  philox_lanes(key, chunk * kLanes, random);
  for (std::size_t k = begin; k < end; ++k) {
    const float value = in[k - begin];
    out[k - begin] = random.bits[k] >= threshold ? value * scale : 0.f;
  }
}

#if defined(__x86_64__)
bool detail::have_avx512_mask() {
  static const bool have = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("bmi2");
  }();
  return have;
}

// GCC 12 warns inside its own avx512fintrin.h when _mm512_mul_epu32 is inlined (the "undefined"
// pass-through operand it declares as `__m512i __Y = __Y;`, GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace {

// The high and low 32 bits of multiplier * c for each of sixteen 32-bit lanes: the even lanes'
// products come from one widening multiply, the odd lanes' from another, then blends sort halves.
__attribute__((target("avx512f"))) inline void multiply_lanes(__m512i c, __m512i multiplier, __m512i& high,
                                                               __m512i& low) {
  const __m512i even = _mm512_mul_epu32(c, multiplier);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(c, 32), multiplier);
  high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  low = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

}  // namespace

// The same with the rounds written out in AVX-512 (GCC vectorises the portable loop poorly: 4.9 ns
// per element and thread, against 0.7 here). Block l's word w decides element 4l + w: the four
// per-word comparison masks are interleaved into element order with pdep.
__attribute__((target("avx512f,bmi2"))) void detail::mask_chunk_avx512(const philox::MaskKey& key, std::uint64_t chunk,
                                                                       std::uint32_t threshold, float scale,
                                                                       const float* in, float* out, std::size_t begin,
                                                                       std::size_t end) {
  const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(chunk * kLanes))), lane);
  __m512i c1 = _mm512_set1_epi32(static_cast<int>(key.tensor_id));
  __m512i c2 = _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key.step)));
  __m512i c3 = _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key.step >> 32)));
  const __m512i multiplier0 = _mm512_set1_epi32(static_cast<int>(kMultiplier0));
  const __m512i multiplier1 = _mm512_set1_epi32(static_cast<int>(kMultiplier1));
  auto key0 = static_cast<std::uint32_t>(key.seed), key1 = static_cast<std::uint32_t>(key.seed >> 32);
  for (int round = 0; round < 10; ++round) {
    __m512i high0, low0, high1, low1;
    multiply_lanes(c0, multiplier0, high0, low0);
    multiply_lanes(c2, multiplier1, high1, low1);
    c0 = _mm512_xor_si512(_mm512_xor_si512(high1, c1), _mm512_set1_epi32(static_cast<int>(key0)));
    c1 = low1;
    c2 = _mm512_xor_si512(_mm512_xor_si512(high0, c3), _mm512_set1_epi32(static_cast<int>(key1)));
    c3 = low0;
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  const __m512i limit = _mm512_set1_epi32(static_cast<int>(threshold));
  const std::uint64_t keep = _pdep_u64(_mm512_cmpge_epu32_mask(c0, limit), 0x1111111111111111ull) |
                             _pdep_u64(_mm512_cmpge_epu32_mask(c1, limit), 0x2222222222222222ull) |
                             _pdep_u64(_mm512_cmpge_epu32_mask(c2, limit), 0x4444444444444444ull) |
                             _pdep_u64(_mm512_cmpge_epu32_mask(c3, limit), 0x8888888888888888ull);
  const __m512 factor = _mm512_set1_ps(scale);
  for (std::size_t first = begin; first < end; first += 16) {
    const std::size_t count = std::min<std::size_t>(16, end - first);
    const auto inside = static_cast<__mmask16>(count == 16 ? 0xFFFFu : (1u << count) - 1u);
    const auto kept = static_cast<__mmask16>(keep >> first) & inside;
    const __m512 x = _mm512_maskz_loadu_ps(inside, in + (first - begin));
    _mm512_mask_storeu_ps(out + (first - begin), inside, _mm512_maskz_mul_ps(kept, x, factor));
  }
}
#pragma GCC diagnostic pop
#else
bool detail::have_avx512_mask() { return false; }
void detail::mask_chunk_avx512(const philox::MaskKey& key, std::uint64_t chunk, std::uint32_t threshold, float scale,
                               const float* in, float* out, std::size_t begin, std::size_t end) {
  mask_chunk_portable(key, chunk, threshold, scale, in, out, begin, end);
}
#endif

Kernel::Kernel(std::size_t count, double rate) : count_(count) {
  if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
  threshold_ = philox::drop_threshold(rate);
  scale_ = static_cast<float>(1.0 / (1.0 - rate));
}

void Kernel::forward(const philox::MaskKey& key, std::uint64_t first_element, const float* x, float* y) const {
  apply_mask(key, first_element, x, 1, y);
}

void Kernel::backward(const philox::MaskKey& key, std::uint64_t first_element, const float* dy, float* dx) const {
  apply_mask(key, first_element, dy, 1, dx);
}

void Kernel::keep_mask(const philox::MaskKey& key, std::uint64_t first_element, float* keep) const {
  static const std::array<float, kChunk> ones = [] {
    std::array<float, kChunk> a;
    a.fill(1.f);
    return a;
  }();
  apply_mask(key, first_element, ones.data(), 0, keep);
}

// The chunks are those of the whole tensor the key draws for: the first and last may be partial.
void Kernel::apply_mask(const philox::MaskKey& key, std::uint64_t first_element, const float* in,
                        std::size_t in_step, float* out) const {
  const std::uint64_t end = first_element + count_;
  const auto first_chunk = static_cast<std::int64_t>(first_element / kChunk);
  const auto end_chunk = static_cast<std::int64_t>((end + kChunk - 1) / kChunk);
  const auto mask_chunk = detail::have_avx512_mask() ? detail::mask_chunk_avx512 : detail::mask_chunk_portable;
#pragma omp parallel for schedule(static)
  for (std::int64_t chunk = first_chunk; chunk < end_chunk; ++chunk) {
    const std::uint64_t chunk_first = static_cast<std::uint64_t>(chunk) * kChunk;
    const std::uint64_t begin = std::max(chunk_first, first_element);
    const auto local = static_cast<std::size_t>(begin - first_element);
    mask_chunk(key, static_cast<std::uint64_t>(chunk), threshold_, scale_, in + in_step * local, out + local,
               static_cast<std::size_t>(begin - chunk_first),
               static_cast<std::size_t>(std::min<std::uint64_t>(chunk_first + kChunk, end) - chunk_first));
  }
}

}  // namespace ynet::ops::dropout::cpu
