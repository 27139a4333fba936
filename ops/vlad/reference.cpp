#include "ops/vlad/reference.h"

#include <vector>

namespace ynet::ops::vlad::reference {
namespace {

// s[b, k] = sum_r a[b, r, k].
std::vector<double> assignment_sums(const VladShape& s, const double* a) {
  std::vector<double> sums(s.batch * s.clusters, 0.0);
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t r = 0; r < s.rows; ++r)
      for (std::size_t k = 0; k < s.clusters; ++k) sums[b * s.clusters + k] += a[(b * s.rows + r) * s.clusters + k];
  return sums;
}

}  // namespace

void forward(const VladShape& s, const double* a, const double* x, const double* c, double* v) {
  const std::vector<double> sums = assignment_sums(s, a);
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t k = 0; k < s.clusters; ++k) {
      for (std::size_t f = 0; f < s.features; ++f) {
        double sum = 0.0;
        for (std::size_t r = 0; r < s.rows; ++r)
          sum += a[(b * s.rows + r) * s.clusters + k] * x[(b * s.rows + r) * s.features + f];
        if (c != nullptr) sum -= sums[b * s.clusters + k] * c[k * s.features + f];
        v[(b * s.clusters + k) * s.features + f] = sum;
      }
    }
  }
}

void backward(const VladShape& s, const double* a, const double* x, const double* c, const double* dv, double* da,
              double* dx, double* dc) {
  for (std::size_t b = 0; b < s.batch; ++b) {
    const double* dvb = dv + b * s.clusters * s.features;
    for (std::size_t r = 0; r < s.rows; ++r) {
      const double* xr = x + (b * s.rows + r) * s.features;
      const double* ar = a + (b * s.rows + r) * s.clusters;
      if (da != nullptr) {
        for (std::size_t k = 0; k < s.clusters; ++k) {
          double sum = 0.0;
          for (std::size_t f = 0; f < s.features; ++f)
            sum += (xr[f] - (c != nullptr ? c[k * s.features + f] : 0.0)) * dvb[k * s.features + f];
          da[(b * s.rows + r) * s.clusters + k] = sum;
        }
      }
      if (dx != nullptr) {
        for (std::size_t f = 0; f < s.features; ++f) {
          double sum = 0.0;
          for (std::size_t k = 0; k < s.clusters; ++k) sum += ar[k] * dvb[k * s.features + f];
          dx[(b * s.rows + r) * s.features + f] = sum;
        }
      }
    }
  }
  if (dc != nullptr) {
    const std::vector<double> sums = assignment_sums(s, a);
    for (std::size_t k = 0; k < s.clusters; ++k) {
      for (std::size_t f = 0; f < s.features; ++f) {
        double sum = 0.0;
        for (std::size_t b = 0; b < s.batch; ++b)
          sum -= sums[b * s.clusters + k] * dv[(b * s.clusters + k) * s.features + f];
        dc[k * s.features + f] = sum;
      }
    }
  }
}

}  // namespace ynet::ops::vlad::reference
