#pragma once
// The sparsely gated mixture-of-experts layer on the GPU (math, layouts, losses: moe_shape.h).
// x W_g and x W_noise are planned products over all rows; gating (cuda_gating.cu) runs one thread
// per row in double; the chosen (row, slot) pairs are grouped by expert (cuda_dispatch.cu) so that
// every expert's Dense layers run as one cuBLAS product over its rows. How many rows each expert
// got is only known on the GPU: the forward step copies the E counts to the host and waits for
// them (the layer's one synchronisation) before it launches the experts' products; the backward
// step reuses them. Everything is sized at bind time for the worst case (every row valid).
#include <memory>
#include <vector>

#include "ops/op.h"
#include "ops/support/cuda/matmul.h"
#include "ops/moe/cuda_kernels.h"
#include "ops/moe/moe_shape.h"

namespace ynet::ops::moe::cuda {

class Kernel {
 public:
  // training: noisy gating draws its noise (Philox stream `stream`, as gating_noise.h).
  Kernel(const MoeShape& shape, bool training, uint32_t stream, runtime::cuda::DeviceBuffers& buffers);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Products and scratch of the backward step, planned when it is bound.
  void plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers);

  // x [rows, input], lengths [batch] (null: every row valid), y [rows, output], aux: the auxiliary
  // loss (a device scalar). x must stay unchanged until backward().
  void forward(const Params<float>& p, const float* x, const int32_t* lengths, float* y, float* aux,
               const runtime::StepContext& ctx);
  // d_aux: the gradient reaching the auxiliary loss (null: 0). dx (null: not wanted) and every
  // gradient are written.
  void backward(const Params<float>& p, const float* dy, const float* d_aux, float* dx, const Grads<float>& g);

 private:
  float* grouped_input(int64_t j) const;

  MoeShape shape_;
  bool training_;
  uint32_t stream_id_;
  GatingDims dims_;
  runtime::cuda::DeviceContext* context_;
  runtime::cuda::ColumnChunks gate_chunks_;
  runtime::cuda::PlannedMatmul clean_product_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> raw_product_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> gate_weight_grad_, noise_weight_grad_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> gate_input_grad_, noise_input_grad_;
  int32_t* host_counts_ = nullptr;  // pinned
  std::vector<int64_t> counts_, offsets_;
  int64_t grouped_ = 0;  // grouped rows of the last forward step
  const float* x_ = nullptr;
  const int32_t* lengths_ = nullptr;
  // Forward to backward.
  runtime::cuda::Scratch clean_, raw_, eps_, order_, gates_, destination_, row_of_, slot_of_, expert_of_;
  runtime::cuda::Scratch device_counts_, device_offsets_, importance_, load_, grouped_x_;
  std::vector<runtime::cuda::Scratch> acts_;  // per expert layer [rows * top_k, units]
  // Forward scratch.
  runtime::cuda::Scratch dense_gates_, probabilities_, partials_, positions_;
  // Backward scratch.
  runtime::cuda::Scratch d_importance_, d_load_, d_gates_, d_act_, d_in_, d_clean_, d_raw_;
};

}  // namespace ynet::ops::moe::cuda
