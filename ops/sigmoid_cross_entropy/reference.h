#pragma once
// Reference sigmoid cross-entropy in double over logits x [batch, classes] and labels z (0/1, or
// soft labels in [0, 1]), summed over classes and averaged over the batch:
//   loss = (1/batch) sum_b sum_c l(x, z, q_c)
//   l    = (1 - z) x + (1 + (q - 1) z) (log(1 + exp(-|x|)) + max(-x, 0))
// which is TensorFlow's weighted_cross_entropy_with_logits; with q = 1 (no positive weights) it is
// the familiar stable form max(x, 0) - x z + log(1 + exp(-|x|)). q_c weighs the positive term of
// class c (the class-balanced loss); how q is derived from class frequencies is the op definition's
// business, the kernel takes it as given. dl/dx = (1 - z) - (1 + (q - 1) z) sigmoid(-x).

#include <cmath>
#include <cstddef>

namespace ynet::ops::sigmoid_cross_entropy {

struct CrossEntropyShape {
  std::size_t batch = 0;
  std::size_t classes = 0;
};

// l and dl/dx for one logit; q = 1 without positive weights.
inline double elementwise_loss(double x, double z, double q) {
  const double softplus_minus_x = std::log1p(std::exp(-std::fabs(x))) + (x < 0.0 ? -x : 0.0);
  return (1.0 - z) * x + (1.0 + (q - 1.0) * z) * softplus_minus_x;
}

inline double elementwise_gradient(double x, double z, double q) {
  // sigmoid(-x), computed without overflow in either tail.
  const double sigmoid_minus_x = x >= 0.0 ? std::exp(-x) / (1.0 + std::exp(-x)) : 1.0 / (1.0 + std::exp(x));
  return (1.0 - z) - (1.0 + (q - 1.0) * z) * sigmoid_minus_x;
}

namespace reference {

// positive_weights may be null (all q = 1).
double forward(const CrossEntropyShape& shape, const double* logits, const double* labels,
               const double* positive_weights);
// dlogits = dloss * dl/dx / batch, where dloss is the gradient flowing into the scalar loss.
void backward(const CrossEntropyShape& shape, const double* logits, const double* labels,
              const double* positive_weights, double dloss, double* dlogits);

}  // namespace reference
}  // namespace ynet::ops::sigmoid_cross_entropy
