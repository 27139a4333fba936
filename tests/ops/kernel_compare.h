#pragma once
// Comparison of an fp32 kernel's tensor with the double reference's: the worst absolute difference
// divided by the largest |reference| value of that tensor. Normalising per tensor (not per element)
// keeps the measure meaningful for the many near-zero entries of gradients, whose fp32 rounding is
// relative to the tensor's scale, not to their own size.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace ynet::testing {

template <class Actual, class Expected>
double max_normalized_error(const Actual& actual, const Expected& expected) {
  if (actual.size() != expected.size()) throw std::invalid_argument("max_normalized_error: size mismatch");
  double scale = 0.0;
  double worst = 0.0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    if (!std::isfinite(a) || !std::isfinite(e)) return std::numeric_limits<double>::infinity();
    scale = std::max(scale, std::fabs(e));
    worst = std::max(worst, std::fabs(a - e));
  }
  // An all-zero reference must be matched exactly (up to denormal noise).
  return worst / std::max(scale, std::numeric_limits<double>::min());
}

}  // namespace ynet::testing
