#include "ops/moe_classifier/reference.h"

#include <algorithm>

#include "ops/activation/kind.h"
#include "ops/moe_classifier/mixture.h"

namespace ynet::ops::moe_classifier::reference {
namespace {

size_t sz(int64_t n) { return static_cast<size_t>(n); }

const ClassifierShape& validated(const ClassifierShape& shape) {
  shape.validate();
  return shape;
}

}  // namespace

Kernel::Kernel(const ClassifierShape& shape)
    : shape_(validated(shape)),
      x_(sz(shape.batch * shape.input)),
      gates_(sz(shape.batch * shape.gate_columns())),
      experts_(sz(shape.batch * shape.expert_columns())),
      d_gate_logits_(sz(shape.gate_columns())),
      d_expert_logits_(sz(shape.expert_columns())) {}

void Kernel::forward(const Params<double>& params, const double* x, double* p) {
  const ClassifierShape& s = shape_;
  const int64_t gate_cols = s.gate_columns(), expert_cols = s.expert_columns();
  std::copy(x, x + s.batch * s.input, x_.begin());
  for (int64_t b = 0; b < s.batch; ++b) {
    const double* xb = x + b * s.input;
    double* gates = gates_.data() + b * gate_cols;
    double* experts = experts_.data() + b * expert_cols;
    for (int64_t j = 0; j < gate_cols; ++j) {
      double z = 0.0;
      for (int64_t i = 0; i < s.input; ++i) z += xb[i] * params.gate_weights[i * gate_cols + j];
      gates[j] = z;
    }
    for (int64_t j = 0; j < expert_cols; ++j) {
      double z = params.expert_bias[j];
      for (int64_t i = 0; i < s.input; ++i) z += xb[i] * params.expert_weights[i * expert_cols + j];
      experts[j] = activation::sigmoid(z);
    }
    mixture::forward_row(s, gates, experts, p + b * s.classes);
  }
}

void Kernel::backward(const Params<double>& params, const double* dp, double* dx, const Grads<double>& g) {
  const ClassifierShape& s = shape_;
  const int64_t gate_cols = s.gate_columns(), expert_cols = s.expert_columns();
  std::fill(g.gate_weights, g.gate_weights + s.input * gate_cols, 0.0);
  std::fill(g.expert_weights, g.expert_weights + s.input * expert_cols, 0.0);
  std::fill(g.expert_bias, g.expert_bias + expert_cols, 0.0);
  for (int64_t b = 0; b < s.batch; ++b) {
    mixture::backward_row(s, gates_.data() + b * gate_cols, experts_.data() + b * expert_cols, dp + b * s.classes,
                          d_gate_logits_.data(), d_expert_logits_.data());
    const double* xb = x_.data() + b * s.input;
    double* dxb = dx + b * s.input;
    for (int64_t i = 0; i < s.input; ++i) {
      double d = 0.0;
      for (int64_t j = 0; j < gate_cols; ++j) {
        g.gate_weights[i * gate_cols + j] += xb[i] * d_gate_logits_[sz(j)];
        d += params.gate_weights[i * gate_cols + j] * d_gate_logits_[sz(j)];
      }
      for (int64_t j = 0; j < expert_cols; ++j) {
        g.expert_weights[i * expert_cols + j] += xb[i] * d_expert_logits_[sz(j)];
        d += params.expert_weights[i * expert_cols + j] * d_expert_logits_[sz(j)];
      }
      dxb[i] = d;
    }
    for (int64_t j = 0; j < expert_cols; ++j) g.expert_bias[j] += d_expert_logits_[sz(j)];
  }
}

}  // namespace ynet::ops::moe_classifier::reference
