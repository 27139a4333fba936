#pragma once
// The video-level MoE classifier on the GPU (math and layouts: classifier_shape.h): the gate
// logits x Wg and the expert logits x We + be (bias in cuBLASLt's epilogue) are two planned
// products, the per-class mixing a kernel (cuda_kernels.h); backward is the mixing's gradient, two
// weight-gradient products, the bias gradient as column sums, and two input-gradient products (the
// second accumulating). The forward step keeps the gates and expert probabilities for backward.
#include <memory>

#include "ops/support/cuda/matmul.h"
#include "ops/support/cuda/reduce.h"
#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier::cuda {

class Kernel {
 public:
  // expert_bias: the device bias [CM] (part of the forward product's plan).
  Kernel(const ClassifierShape& shape, const float* expert_bias, runtime::cuda::DeviceBuffers& buffers);

  // x [B, F] -> p [B, C]. x must stay unchanged until backward().
  void forward(const Params<float>& params, const float* x, float* p);
  // dp [B, C] -> dx [B, F] (null: not wanted) and the parameter gradients (written).
  void backward(const Params<float>& params, const float* x, const float* dp, float* dx, const Grads<float>& g);

  // The backward step's products, planned when that step is bound.
  void plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers);

 private:
  ClassifierShape shape_;
  cudaStream_t stream_;
  runtime::cuda::PlannedMatmul gate_logits_, expert_logits_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> gate_weight_grad_, expert_weight_grad_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> gate_input_grad_, expert_input_grad_;
  runtime::cuda::ColumnChunks bias_chunks_;
  runtime::cuda::Scratch gates_, experts_;                                // persistent, forward to backward
  runtime::cuda::Scratch d_gate_logits_, d_expert_logits_, partials_;    // transient, backward
};

}  // namespace ynet::ops::moe_classifier::cuda
