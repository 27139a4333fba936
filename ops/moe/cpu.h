#pragma once
// Mixture-of-experts layer on oneDNN (fp32). The gating products x W_g and x W_noise are two matmuls
// over all rows; the per-row gating math (gating.h) runs on the host in double; then the rows are
// grouped per expert (each row copied once per chosen expert) so that every expert's Dense layers
// run as one matmul over its rows, with a run-time row count (matmul.h). Every buffer is sized in
// the constructor for the worst case (all rows valid); nothing is allocated per step except the
// oneDNN memory handles matmul.h describes. Host loops over rows run on OpenMP with each row owned by
// one thread, so results do not depend on the thread count; the gating loop stays serial because
// Load and Importance are sums over rows. Math, layouts and losses: moe_shape.h.
#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "ops/moe/gating.h"
#include "ops/moe/matmul.h"
#include "ops/moe/moe_shape.h"
#include "ops/support/batch_collectives.h"

namespace ynet::ops::moe::cpu {

class Kernel {
 public:
  Kernel(const MoeShape& shape, const dnnl::engine& engine);

  const MoeShape& shape() const { return shape_; }

  // x [rows, input], lengths [batch] (nullptr: every row valid), eps [rows, experts] standard normal
  // samples (nullptr: no noise), y [rows, output]. x and eps must stay unchanged until backward().
  // Returns the auxiliary losses of the global batch that `slice` is part of (batch_losses.h).
  Losses forward(const Params<float>& p, const float* x, const int32_t* lengths, const float* eps, float* y,
                 const runtime::BatchSlice& slice, const dnnl::stream& stream);

  // d_aux = dL/d(L_importance + L_load). dx and every gradient are written.
  void backward(const Params<float>& p, const float* dy, float d_aux, float* dx, const Grads<float>& g,
                const dnnl::stream& stream);

 private:
  struct ExpertMatmuls {
    Matmul forward;           // act_j = f(in_j W_j[e] + b_j[e]) over the expert's rows
    Matmul backward_data;     // d in_j = d pre_j W_j[e]^T
    Matmul backward_weights;  // d W_j[e] = in_j^T d pre_j
  };

  const float* eps_row(int64_t r) const { return eps_ != nullptr ? eps_ + r * shape_.experts : nullptr; }
  float* grouped_input(int64_t j) { return j == 0 ? grouped_x_.data() : acts_[static_cast<size_t>(j - 1)].data(); }
  void group_rows();
  void backward_experts(const Params<float>& p, const Grads<float>& g, const dnnl::stream& stream);
  void backward_gating(const Params<float>& p, const Grads<float>& g, float* dx, const dnnl::stream& stream);

  MoeShape shape_;
  Matmul gate_forward_, gate_backward_weights_, gate_backward_data_;
  std::vector<ExpertMatmuls> expert_matmuls_;  // per expert layer
  gating::Row row_;

  const float* x_ = nullptr;
  const float* eps_ = nullptr;
  int64_t valid_rows_ = 0;
  double aux_gradient_scale_ = 1.0;
  std::vector<uint8_t> valid_;
  std::vector<float> clean_, raw_, d_clean_, d_raw_;  // [rows, experts]
  std::vector<int32_t> expert_of_;                    // [rows * top_k] chosen expert of each slot
  std::vector<double> gate_of_;                       // [rows * top_k] its G
  std::vector<int64_t> position_;                     // [rows * top_k] its row in the grouped buffers
  std::vector<int64_t> row_of_position_;              // [rows * top_k]
  std::vector<int64_t> counts_, offsets_, cursor_;    // per expert
  std::vector<float> grouped_x_;                      // [rows * top_k, input]
  std::vector<std::vector<float>> acts_;              // per expert layer: [rows * top_k, units_j]
  std::vector<float> d_act_, d_in_;                   // [rows * top_k, widest]
  std::vector<double> importance_, load_, d_importance_, d_load_, d_gates_;
};

}  // namespace ynet::ops::moe::cpu
