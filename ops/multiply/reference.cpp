#include "ops/multiply/reference.h"

namespace ynet::ops::multiply::reference {

void forward(const MultiplyShape& s, const double* a, const double* b, double* y) {
  for (std::size_t i = 0; i < s.elements; ++i) y[i] = a[i] * b[i / s.run];
}

void backward(const MultiplyShape& s, const double* a, const double* b, const double* dy, double* da, double* db) {
  if (da != nullptr)
    for (std::size_t i = 0; i < s.elements; ++i) da[i] = dy[i] * b[i / s.run];
  if (db != nullptr) {
    for (std::size_t j = 0; j < s.elements / s.run; ++j) {
      double sum = 0.0;
      for (std::size_t i = j * s.run; i < (j + 1) * s.run; ++i) sum += dy[i] * a[i];
      db[j] = sum;
    }
  }
}

}  // namespace ynet::ops::multiply::reference
