#pragma once
// Sigmoid cross-entropy on floats (math in reference.h). Elementwise terms are evaluated in float,
// each row's sum is accumulated in double by one thread, and the rows are then added in order, so
// the loss is bit-identical for any thread count.

#include <cstddef>

#include "ops/sigmoid_cross_entropy/reference.h"

namespace ynet::ops::sigmoid_cross_entropy::cpu {

class Kernel {
 public:
  explicit Kernel(const CrossEntropyShape& shape);

  // Scratch for the per-row partial sums of forward.
  std::size_t workspace_bytes() const { return shape_.batch * sizeof(double); }

  // positive_weights may be null. Writes the scalar loss to *loss.
  void forward(const float* logits, const float* labels, const float* positive_weights, float* loss,
               void* workspace) const;
  void backward(const float* logits, const float* labels, const float* positive_weights, float dloss,
                float* dlogits) const;

 private:
  CrossEntropyShape shape_;
};

}  // namespace ynet::ops::sigmoid_cross_entropy::cpu
