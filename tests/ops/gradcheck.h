#pragma once
// Shared helpers for op tests: deterministic random inputs, central-difference gradient checks in
// double, and a relative-error measure used both for gradient checks and for CPU-vs-reference
// comparisons.
//
// Relative error of one element is |actual - expected| / max(|actual|, |expected|, floor): relative
// for values of normal size, absolute (scaled by 1/floor) for values near zero, where a relative
// measure would only report cancellation noise.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ynet::testing {

using ScalarLoss = std::function<double(const std::vector<double>&)>;

// Worst element-wise relative error between two equally sized ranges (vector, span, array of float
// or double). Throws if the sizes differ so that a shape bug cannot pass as a small error.
template <class Actual, class Expected>
double max_relative_error(const Actual& actual, const Expected& expected, double floor = 1e-3) {
  if (actual.size() != expected.size()) throw std::invalid_argument("max_relative_error: size mismatch");
  double worst = 0.0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    if (!std::isfinite(a) || !std::isfinite(e)) return INFINITY;
    const double scale = std::max({std::fabs(a), std::fabs(e), floor});
    worst = std::max(worst, std::fabs(a - e) / scale);
  }
  return worst;
}

// max_i |actual_i - expected_i| / max_i |expected_i|: the error relative to the tensor's own scale.
// Used to compare fp32 kernels with the double reference, where a per-element measure would report
// the rounding noise of sums that cancel to nearly zero as large relative errors.
template <class Actual, class Expected>
double normwise_relative_error(const Actual& actual, const Expected& expected) {
  if (actual.size() != expected.size()) throw std::invalid_argument("normwise_relative_error: size mismatch");
  double worst = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    if (!std::isfinite(a) || !std::isfinite(e)) return INFINITY;
    worst = std::max(worst, std::fabs(a - e));
    scale = std::max(scale, std::fabs(e));
  }
  return scale > 0.0 ? worst / scale : worst;
}

// d loss / d x_i by central differences (loss(x + h e_i) - loss(x - h e_i)) / 2h.
inline std::vector<double> numerical_gradient(const ScalarLoss& loss, std::vector<double> x, double step = 1e-5) {
  std::vector<double> grad(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + step;
    const double plus = loss(x);
    x[i] = saved - step;
    const double minus = loss(x);
    x[i] = saved;
    grad[i] = (plus - minus) / (2.0 * step);
  }
  return grad;
}

// Worst relative error between an analytic gradient of `loss` at `x` and central differences.
inline double gradient_error(const ScalarLoss& loss, const std::vector<double>& x, const std::vector<double>& analytic,
                             double step = 1e-5, double floor = 1e-3) {
  return max_relative_error(analytic, numerical_gradient(loss, x, step), floor);
}

// Deterministic uniform values in [lo, hi) from splitmix64, independent of the standard library's
// distribution implementations so that test inputs are the same on every platform.
inline std::vector<double> random_vector(std::size_t n, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
  std::vector<double> v(n);
  std::uint64_t state = seed;
  for (auto& value : v) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const double unit = static_cast<double>(z >> 11) * 0x1.0p-53;
    value = lo + (hi - lo) * unit;
  }
  return v;
}

// Sum_i a_i b_i: turns an op's output into a scalar loss whose gradient w.r.t. the output is `b`.
inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("dot: size mismatch");
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

inline std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// Rounds to float and back, so that the reference sees exactly the inputs a float kernel sees.
inline std::vector<double> round_to_float(std::vector<double> v) {
  for (auto& value : v) value = static_cast<double>(static_cast<float>(value));
  return v;
}

}  // namespace ynet::testing
