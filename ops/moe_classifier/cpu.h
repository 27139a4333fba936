#pragma once
// Video-level MoE classifier on oneDNN (fp32): the gate logits x Wg and the expert probabilities
// sigmoid(x We + be) are two matmuls (the sigmoid fused as a post-op), the per-class mixing runs on
// the host (mixture.h); backward is two weight-gradient matmuls and two input-gradient matmuls. All
// primitives and buffers are created in the constructor. Math and layouts: classifier_shape.h.
#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "ops/moe/matmul.h"
#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier::cpu {

class Kernel {
 public:
  Kernel(const ClassifierShape& shape, const dnnl::engine& engine);

  // x [B, F] -> p [B, C]. x must stay unchanged until backward().
  void forward(const Params<float>& params, const float* x, float* p, const dnnl::stream& stream);
  // dp [B, C] -> dx [B, F] and the parameter gradients (written), for the last forward call.
  void backward(const Params<float>& params, const float* dp, float* dx, const Grads<float>& g,
                const dnnl::stream& stream);

 private:
  using Matmul = moe::cpu::Matmul;

  ClassifierShape shape_;
  Matmul gate_logits_, expert_probabilities_;
  Matmul gate_weight_grad_, expert_weight_grad_;
  Matmul gate_input_grad_, expert_input_grad_;  // the second accumulates into dx
  const float* x_ = nullptr;
  std::vector<float> gates_;    // logits, then softmax per class [B, C(M+1)]
  std::vector<float> experts_;  // [B, CM]
  std::vector<float> d_gate_logits_, d_expert_logits_;
};

}  // namespace ynet::ops::moe_classifier::cpu
