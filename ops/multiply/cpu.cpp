#include "ops/multiply/cpu.h"

#include <cstdint>

namespace ynet::ops::multiply::cpu {

void forward(const MultiplyShape& s, const float* a, const float* b, float* y) {
  const auto scales = static_cast<std::int64_t>(s.elements / s.run);
  const std::size_t run = s.run;
#pragma omp parallel for schedule(static)
  for (std::int64_t j = 0; j < scales; ++j) {
    const std::size_t at = static_cast<std::size_t>(j) * run;
    const float scale = b[j];
    for (std::size_t i = at; i < at + run; ++i) y[i] = a[i] * scale;
  }
}

void backward(const MultiplyShape& s, const float* a, const float* b, const float* dy, float* da, float* db) {
  const auto scales = static_cast<std::int64_t>(s.elements / s.run);
  const std::size_t run = s.run;
#pragma omp parallel for schedule(static)
  for (std::int64_t j = 0; j < scales; ++j) {
    const std::size_t at = static_cast<std::size_t>(j) * run;
    if (da != nullptr) {
      const float scale = b[j];
      for (std::size_t i = at; i < at + run; ++i) da[i] = dy[i] * scale;
    }
    if (db != nullptr) {
      float sum = 0.0f;
      for (std::size_t i = at; i < at + run; ++i) sum += dy[i] * a[i];
      db[j] = sum;
    }
  }
}

}  // namespace ynet::ops::multiply::cpu
