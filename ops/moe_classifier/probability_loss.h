#pragma once
// Cross-entropy on probabilities, for outputs that are already probabilities (the MoE classifier):
// exactly the starter code's CrossEntropyLoss, summed over classes and averaged over the batch,
//   loss = -(1/B) sum_{b,c} [ q_c z log(p + eps) + (1 - z) log(1 - p + eps) ],  eps = 1e-5,
// with q_c the class-balanced positive weight (null: all 1, the starter's loss). eps keeps the loss
// finite at p = 0 or 1 without clamping, so the gradient never vanishes there. This is what
// `SigmoidCrossEntropy(p, labels, on: probabilities)` computes; on logits use the stable
// sigmoid_cross_entropy kernel instead. One template serves the reference (double) and the CPU
// backend (float, accumulating in double).
#include <cmath>
#include <cstdint>

namespace ynet::ops::moe_classifier::probability_loss {

inline constexpr double kEpsilon = 1e-5;

template <class T>
double forward(int64_t batch, int64_t classes, const T* p, const T* labels, const T* positive_weights) {
  double sum = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < classes; ++c) {
      const double prob = static_cast<double>(p[b * classes + c]);
      const double z = static_cast<double>(labels[b * classes + c]);
      const double q = positive_weights != nullptr ? static_cast<double>(positive_weights[c]) : 1.0;
      sum -= q * z * std::log(prob + kEpsilon) + (1.0 - z) * std::log(1.0 - prob + kEpsilon);
    }
  }
  return sum / static_cast<double>(batch);
}

// dp = d_loss * dloss/dp, where d_loss is the gradient flowing into the scalar loss.
template <class T>
void backward(int64_t batch, int64_t classes, const T* p, const T* labels, const T* positive_weights, double d_loss,
              T* dp) {
  const double scale = d_loss / static_cast<double>(batch);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < classes; ++c) {
      const int64_t k = b * classes + c;
      const double prob = static_cast<double>(p[k]);
      const double z = static_cast<double>(labels[k]);
      const double q = positive_weights != nullptr ? static_cast<double>(positive_weights[c]) : 1.0;
      dp[k] = static_cast<T>(scale * (-q * z / (prob + kEpsilon) + (1.0 - z) / (1.0 - prob + kEpsilon)));
    }
  }
}

}  // namespace ynet::ops::moe_classifier::probability_loss
