#pragma once
// The per-row math of noisy top-k gating and the CV^2 loss, shared by the reference and the oneDNN
// kernels (which differ in how they compute x W_g, x W_noise and the experts, not in this). It runs
// in double whatever the tensor type T. Definitions: moe_shape.h.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "ops/activation/kind.h"
#include "ops/moe/moe_shape.h"

namespace ynet::ops::moe::gating {

inline double softplus(double v) { return std::max(v, 0.0) + std::log1p(std::exp(-std::fabs(v))); }
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }
inline double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }

constexpr double kCvEpsilon = 1e-10;

inline double cv_squared(const std::vector<double>& v) {
  const auto n = static_cast<double>(v.size());
  double mean = 0.0;
  for (double e : v) mean += e;
  mean /= n;
  double var = 0.0;
  for (double e : v) var += (e - mean) * (e - mean);
  var /= n;
  return var / (mean * mean + kCvEpsilon);
}

// grad_e = scale * d CV(v)^2 / d v_e (sum of (v - mean) is 0, so d var / d v_e = 2 (v_e - mean) / n).
inline void cv_squared_gradient(const std::vector<double>& v, double scale, std::vector<double>& grad) {
  const auto n = static_cast<double>(v.size());
  double mean = 0.0;
  for (double e : v) mean += e;
  mean /= n;
  double var = 0.0;
  for (double e : v) var += (e - mean) * (e - mean);
  var /= n;
  const double denom = mean * mean + kCvEpsilon;
  for (size_t e = 0; e < v.size(); ++e) {
    grad[e] = scale * (2.0 * (v[e] - mean) / n / denom - var * 2.0 * mean / n / (denom * denom));
  }
}

// Scratch and results of one row, sized once per kernel.
struct Row {
  std::vector<double> noise_scale;  // softplus(raw) [experts]
  std::vector<double> h;            // H [experts]
  std::vector<int32_t> order;       // the top_k (+1 when top_k < experts) indices of H, best first
  std::vector<double> gates;        // G of order[0..k) [top_k]
  std::vector<double> d_h, d_noise_scale, d_clean_direct;

  explicit Row(const MoeShape& s)
      : noise_scale(static_cast<size_t>(s.experts)),
        h(static_cast<size_t>(s.experts)),
        order(static_cast<size_t>(std::min(s.top_k + 1, s.experts))),
        gates(static_cast<size_t>(s.top_k)),
        d_h(static_cast<size_t>(s.experts)),
        d_noise_scale(static_cast<size_t>(s.experts)),
        d_clean_direct(static_cast<size_t>(s.experts)) {}
};

namespace detail {

inline bool chosen(const MoeShape& s, const Row& row, int64_t e) {
  for (int64_t slot = 0; slot < s.top_k; ++slot) {
    if (row.order[static_cast<size_t>(slot)] == e) return true;
  }
  return false;
}

// kth_excluding(H, k, e) is the k-th largest of H without e: order[k] when e is among the top k,
// order[k-1] otherwise.
inline int32_t threshold_index(const MoeShape& s, const Row& row, int64_t e) {
  return row.order[static_cast<size_t>(chosen(s, row, e) ? s.top_k : s.top_k - 1)];
}

}  // namespace detail

// H, the ordering and G for one row; adds P(x, .) to load when the load loss is on and load is not
// null (backward passes recompute a row's state with a null load).
template <class T>
void forward_row(const MoeShape& s, const T* clean, const T* raw, const T* eps, Row& row, double* load) {
  const bool noisy = s.noisy;
  for (int64_t e = 0; e < s.experts; ++e) {
    const auto k = static_cast<size_t>(e);
    row.noise_scale[k] = noisy ? softplus(static_cast<double>(raw[e])) : 0.0;
    row.h[k] = static_cast<double>(clean[e]);
    if (noisy && eps != nullptr) row.h[k] += static_cast<double>(eps[e]) * row.noise_scale[k];
  }
  // Selection by (value descending, index ascending): a strict comparison keeps the lower index on ties.
  for (size_t slot = 0; slot < row.order.size(); ++slot) {
    int32_t best = -1;
    for (int32_t e = 0; e < s.experts; ++e) {
      bool taken = false;
      for (size_t prior = 0; prior < slot; ++prior) taken = taken || row.order[prior] == e;
      if (!taken && (best < 0 || row.h[static_cast<size_t>(e)] > row.h[static_cast<size_t>(best)])) best = e;
    }
    row.order[slot] = best;
  }
  const double top = row.h[static_cast<size_t>(row.order[0])];
  double sum = 0.0;
  for (int64_t slot = 0; slot < s.top_k; ++slot) {
    const double g = std::exp(row.h[static_cast<size_t>(row.order[static_cast<size_t>(slot)])] - top);
    row.gates[static_cast<size_t>(slot)] = g;
    sum += g;
  }
  for (double& g : row.gates) g /= sum;
  if (!s.has_load_loss() || load == nullptr) return;
  for (int64_t e = 0; e < s.experts; ++e) {
    const double threshold = row.h[static_cast<size_t>(detail::threshold_index(s, row, e))];
    load[e] += normal_cdf((static_cast<double>(clean[e]) - threshold) / row.noise_scale[static_cast<size_t>(e)]);
  }
}

// Given dL/dG of the chosen slots (d_gates [top_k]) and dL/dLoad (d_load [experts], ignored without
// a load loss), writes dL/dclean and dL/draw [experts]. Expects `row` as forward_row left it.
template <class T>
void backward_row(const MoeShape& s, const T* clean, const T* raw, const T* eps, Row& row, const double* d_gates,
                  const double* d_load, T* d_clean, T* d_raw) {
  std::fill(row.d_h.begin(), row.d_h.end(), 0.0);
  std::fill(row.d_noise_scale.begin(), row.d_noise_scale.end(), 0.0);
  std::fill(row.d_clean_direct.begin(), row.d_clean_direct.end(), 0.0);
  double weighted = 0.0;
  for (int64_t slot = 0; slot < s.top_k; ++slot) weighted += row.gates[static_cast<size_t>(slot)] * d_gates[slot];
  for (int64_t slot = 0; slot < s.top_k; ++slot) {
    const auto e = static_cast<size_t>(row.order[static_cast<size_t>(slot)]);
    row.d_h[e] += row.gates[static_cast<size_t>(slot)] * (d_gates[slot] - weighted);
  }
  if (s.has_load_loss()) {
    for (int64_t e = 0; e < s.experts; ++e) {
      const auto k = static_cast<size_t>(e);
      const auto t = static_cast<size_t>(detail::threshold_index(s, row, e));
      const double scale = row.noise_scale[k];
      const double z = (static_cast<double>(clean[e]) - row.h[t]) / scale;
      const double d_z = d_load[e] * normal_pdf(z);
      row.d_clean_direct[k] += d_z / scale;  // P's own dependence on clean_e
      row.d_h[t] -= d_z / scale;             // and through the threshold H_t
      row.d_noise_scale[k] -= d_z * z / scale;
    }
  }
  for (int64_t e = 0; e < s.experts; ++e) {
    const auto k = static_cast<size_t>(e);
    d_clean[e] = static_cast<T>(row.d_clean_direct[k] + row.d_h[k]);  // dH/dclean = 1
    if (!s.noisy) continue;
    double d_scale = row.d_noise_scale[k];
    if (eps != nullptr) d_scale += static_cast<double>(eps[e]) * row.d_h[k];
    d_raw[e] = static_cast<T>(d_scale * activation::sigmoid(static_cast<double>(raw[e])));
  }
}

}  // namespace ynet::ops::moe::gating
