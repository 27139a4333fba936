#pragma once
// The per-class mixing of the classifier (classifier_shape.h) given the gate logits and the expert
// probabilities of one video, forward and backward; shared by the reference and the oneDNN kernels,
// which differ only in how they compute the two products with x. Runs in double for any T.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier::mixture {

// gates [C(M+1)]: logits in, softmax per class out (in place); experts [CM]: sigmoid outputs; p [C].
template <class T>
void forward_row(const ClassifierShape& s, T* gates, const T* experts, T* p) {
  const int64_t m_count = s.mixtures;
  for (int64_t c = 0; c < s.classes; ++c) {
    T* g = gates + c * (m_count + 1);
    double top = static_cast<double>(g[0]);
    for (int64_t m = 1; m <= m_count; ++m) top = std::max(top, static_cast<double>(g[m]));
    double sum = 0.0;
    for (int64_t m = 0; m <= m_count; ++m) sum += std::exp(static_cast<double>(g[m]) - top);
    double prob = 0.0;
    for (int64_t m = 0; m <= m_count; ++m) {
      const double gate = std::exp(static_cast<double>(g[m]) - top) / sum;
      g[m] = static_cast<T>(gate);
      if (m < m_count) prob += gate * static_cast<double>(experts[c * m_count + m]);
    }
    p[c] = static_cast<T>(prob);
  }
}

// dp [C] -> d gate logits [C(M+1)] and d expert logits [CM], from forward_row's gates and experts.
template <class T>
void backward_row(const ClassifierShape& s, const T* gates, const T* experts, const T* dp, T* d_gate_logits,
                  T* d_expert_logits) {
  const int64_t m_count = s.mixtures;
  for (int64_t c = 0; c < s.classes; ++c) {
    const T* g = gates + c * (m_count + 1);
    const double d_prob = static_cast<double>(dp[c]);
    double weighted = 0.0;  // sum_m g_m dL/dg_m; the dummy's dL/dg is 0
    for (int64_t m = 0; m < m_count; ++m) {
      weighted += static_cast<double>(g[m]) * d_prob * static_cast<double>(experts[c * m_count + m]);
    }
    for (int64_t m = 0; m <= m_count; ++m) {
      const double d_gate = m < m_count ? d_prob * static_cast<double>(experts[c * m_count + m]) : 0.0;
      d_gate_logits[c * (m_count + 1) + m] = static_cast<T>(static_cast<double>(g[m]) * (d_gate - weighted));
    }
    for (int64_t m = 0; m < m_count; ++m) {
      const double e = static_cast<double>(experts[c * m_count + m]);
      d_expert_logits[c * m_count + m] = static_cast<T>(d_prob * static_cast<double>(g[m]) * e * (1.0 - e));
    }
  }
}

}  // namespace ynet::ops::moe_classifier::mixture
