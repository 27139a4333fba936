#pragma once
// Plain C++ mixture-of-experts layer in double: every valid row runs its k chosen experts one by one.
// Math, layouts and losses: moe_shape.h.
#include <vector>

#include "ops/moe/gating.h"
#include "ops/support/batch_collectives.h"
#include "ops/moe/moe_shape.h"

namespace ynet::ops::moe::reference {

class Kernel {
 public:
  explicit Kernel(const MoeShape& shape);

  const MoeShape& shape() const { return shape_; }

  // x [rows, input], lengths [batch] (nullptr: every row valid), eps [rows, experts] standard normal
  // samples (nullptr: no noise), y [rows, output]. Returns the auxiliary losses of the global batch
  // that `slice` is part of (batch_losses.h).
  Losses forward(const Params<double>& p, const double* x, const int32_t* lengths, const double* eps, double* y,
                 const runtime::BatchSlice& slice);

  // d_aux = dL/d(L_importance + L_load). dx and every gradient are written.
  void backward(const Params<double>& p, const double* dy, double d_aux, double* dx, const Grads<double>& g);

 private:
  const double* eps_row(int64_t r) const { return has_eps_ ? eps_.data() + r * shape_.experts : nullptr; }
  // Output of expert layer j for row r's chosen slot.
  double* activation(int64_t j, int64_t r, int64_t slot);

  MoeShape shape_;
  gating::Row row_;
  std::vector<uint8_t> valid_;
  std::vector<double> x_, eps_, clean_, raw_;
  bool has_eps_ = false;
  double aux_gradient_scale_ = 1.0;
  std::vector<std::vector<double>> acts_;  // per expert layer: [rows * top_k, units_j]
  std::vector<double> importance_, load_, d_importance_, d_load_, d_gates_;
  std::vector<double> d_act_, d_in_, d_clean_, d_raw_;
};

}  // namespace ynet::ops::moe::reference
