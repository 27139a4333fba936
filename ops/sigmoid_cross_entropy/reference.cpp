#include "ops/sigmoid_cross_entropy/reference.h"

namespace ynet::ops::sigmoid_cross_entropy::reference {

double forward(const CrossEntropyShape& shape, const double* logits, const double* labels,
               const double* positive_weights) {
  double total = 0.0;
  for (std::size_t b = 0; b < shape.batch; ++b) {
    for (std::size_t c = 0; c < shape.classes; ++c) {
      const std::size_t k = b * shape.classes + c;
      total += elementwise_loss(logits[k], labels[k], positive_weights ? positive_weights[c] : 1.0);
    }
  }
  return total / static_cast<double>(shape.batch);
}

void backward(const CrossEntropyShape& shape, const double* logits, const double* labels,
              const double* positive_weights, double dloss, double* dlogits) {
  const double scale = dloss / static_cast<double>(shape.batch);
  for (std::size_t b = 0; b < shape.batch; ++b) {
    for (std::size_t c = 0; c < shape.classes; ++c) {
      const std::size_t k = b * shape.classes + c;
      dlogits[k] = scale * elementwise_gradient(logits[k], labels[k], positive_weights ? positive_weights[c] : 1.0);
    }
  }
}

}  // namespace ynet::ops::sigmoid_cross_entropy::reference
