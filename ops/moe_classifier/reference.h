#pragma once
// Plain C++ video-level MoE classifier in double. Math and layouts: classifier_shape.h.
#include <vector>

#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier::reference {

class Kernel {
 public:
  explicit Kernel(const ClassifierShape& shape);

  // x [B, F] -> p [B, C]. Keeps what backward needs.
  void forward(const Params<double>& params, const double* x, double* p);
  // dp [B, C] -> dx [B, F] and the parameter gradients, for the last forward call.
  void backward(const Params<double>& params, const double* dp, double* dx, const Grads<double>& g);

 private:
  ClassifierShape shape_;
  std::vector<double> x_;
  std::vector<double> gates_;    // softmax per class [B, C(M+1)]
  std::vector<double> experts_;  // sigmoid [B, CM]
  std::vector<double> d_gate_logits_, d_expert_logits_;  // one row
};

}  // namespace ynet::ops::moe_classifier::reference
