#include "ops/concat/cpu.h"

#include <cstdint>
#include <cstring>

namespace ynet::ops::concat::cpu {

void copy_columns(const ColumnCopy& c, const float* from, float* to) {
  const auto rows = static_cast<std::int64_t>(c.rows);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto row = static_cast<std::size_t>(r);
    std::memcpy(to + row * c.to_width + c.to_offset, from + row * c.from_width + c.from_offset, c.width * sizeof(float));
  }
}

void zero(float* values, std::size_t count) { std::memset(values, 0, count * sizeof(float)); }

}  // namespace ynet::ops::concat::cpu
