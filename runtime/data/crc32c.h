#pragma once
// CRC32C (Castagnoli), as TFRecord framing uses it: the SSE4.2 crc32 instruction when the CPU has
// it (checked once at run time), otherwise a slicing-by-8 table.
#include <cstddef>
#include <cstdint>

namespace ynet::data {

// Continues a CRC32C over more bytes; crc32c_extend(0, p, n) is the CRC of p[0..n).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size);
inline uint32_t crc32c(const void* data, size_t size) { return crc32c_extend(0, data, size); }

// The table implementation alone, so tests can compare it with the hardware path.
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t size);
bool crc32c_uses_hardware();

// TFRecord stores CRCs masked, because a CRC of data that embeds CRCs is weak.
constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;
inline uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrcMaskDelta; }
inline uint32_t crc32c_unmask(uint32_t masked) {
  const uint32_t rotated = masked - kCrcMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace ynet::data
