#include "ops/moe/reference.h"

#include <algorithm>

#include "ops/moe/batch_losses.h"

namespace ynet::ops::moe::reference {
namespace {

size_t sz(int64_t n) { return static_cast<size_t>(n); }

const MoeShape& validated(const MoeShape& shape) {
  shape.validate();
  return shape;
}

}  // namespace

Kernel::Kernel(const MoeShape& shape) : shape_(validated(shape)), row_(shape_) {
  const int64_t rows = shape_.rows();
  const int64_t e = shape_.experts;
  valid_.resize(sz(rows));
  x_.resize(sz(rows * shape_.input));
  eps_.resize(sz(rows * e));
  clean_.resize(sz(rows * e));
  raw_.resize(sz(rows * e));
  int64_t widest = shape_.input;
  for (int64_t j = 0; j < shape_.layers(); ++j) {
    acts_.emplace_back(sz(rows * shape_.top_k * shape_.layer_output(j)));
    widest = std::max(widest, shape_.layer_output(j));
  }
  for (auto* v : {&importance_, &load_, &d_importance_, &d_load_, &d_clean_, &d_raw_}) v->resize(sz(e));
  d_gates_.resize(sz(shape_.top_k));
  d_act_.resize(sz(widest));
  d_in_.resize(sz(widest));
}

double* Kernel::activation(int64_t j, int64_t r, int64_t slot) {
  return acts_[sz(j)].data() + (r * shape_.top_k + slot) * shape_.layer_output(j);
}

Losses Kernel::forward(const Params<double>& p, const double* x, const int32_t* lengths, const double* eps,
                       double* y, const runtime::BatchSlice& slice) {
  const MoeShape& s = shape_;
  const int64_t e_count = s.experts;
  for (int64_t r = 0; r < s.rows(); ++r) {
    valid_[sz(r)] = lengths == nullptr || r % s.time < lengths[r / s.time];
  }
  std::copy(x, x + s.rows() * s.input, x_.begin());
  has_eps_ = eps != nullptr && s.noisy;
  if (has_eps_) std::copy(eps, eps + s.rows() * e_count, eps_.begin());
  std::fill(importance_.begin(), importance_.end(), 0.0);
  std::fill(load_.begin(), load_.end(), 0.0);
  std::fill(y, y + s.rows() * s.output(), 0.0);
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    const double* xr = x_.data() + r * s.input;
    double* clean = clean_.data() + r * e_count;
    double* raw = raw_.data() + r * e_count;
    for (int64_t e = 0; e < e_count; ++e) {
      clean[e] = 0.0;
      raw[e] = 0.0;
      for (int64_t d = 0; d < s.input; ++d) {
        clean[e] += xr[d] * p.gate[d * e_count + e];
        if (s.noisy) raw[e] += xr[d] * p.noise[d * e_count + e];
      }
    }
    gating::forward_row(s, clean, raw, eps_row(r), row_, load_.data());
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const int64_t e = row_.order[sz(slot)];
      const double g = row_.gates[sz(slot)];
      importance_[sz(e)] += g;
      const double* in = xr;
      for (int64_t j = 0; j < s.layers(); ++j) {
        const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
        const double* w = p.weights[sz(j)] + e * n_in * n_out;
        const double* b = s.expert[sz(j)].bias ? p.biases[sz(j)] + e * n_out : nullptr;
        double* out = activation(j, r, slot);
        for (int64_t u = 0; u < n_out; ++u) {
          double z = b != nullptr ? b[u] : 0.0;
          for (int64_t i = 0; i < n_in; ++i) z += in[i] * w[i * n_out + u];
          out[u] = activation::apply(s.expert[sz(j)].activation, z);
        }
        in = out;
      }
      for (int64_t u = 0; u < s.output(); ++u) y[r * s.output() + u] += g * in[u];
    }
  }
  aux_gradient_scale_ = aux_gradient_scale(s, slice);
  return batch_losses(s, slice, importance_, load_);
}

void Kernel::backward(const Params<double>& p, const double* dy, double d_aux, double* dx, const Grads<double>& g) {
  const MoeShape& s = shape_;
  const int64_t e_count = s.experts;
  std::fill(g.gate, g.gate + s.input * e_count, 0.0);
  if (s.noisy) std::fill(g.noise, g.noise + s.input * e_count, 0.0);
  for (int64_t j = 0; j < s.layers(); ++j) {
    std::fill(g.weights[sz(j)], g.weights[sz(j)] + e_count * s.layer_input(j) * s.layer_output(j), 0.0);
    if (s.expert[sz(j)].bias) std::fill(g.biases[sz(j)], g.biases[sz(j)] + e_count * s.layer_output(j), 0.0);
  }
  std::fill(dx, dx + s.rows() * s.input, 0.0);
  const double d_losses = d_aux * aux_gradient_scale_;
  gating::cv_squared_gradient(importance_, d_losses * s.w_importance, d_importance_);
  if (s.has_load_loss()) gating::cv_squared_gradient(load_, d_losses * s.w_load, d_load_);

  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    const double* xr = x_.data() + r * s.input;
    const double* dyr = dy + r * s.output();
    double* dxr = dx + r * s.input;
    const double* clean = clean_.data() + r * e_count;
    const double* raw = raw_.data() + r * e_count;
    gating::forward_row(s, clean, raw, eps_row(r), row_, nullptr);
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const int64_t e = row_.order[sz(slot)];
      const double* out = activation(s.layers() - 1, r, slot);
      double d_gate = d_importance_[sz(e)];
      for (int64_t u = 0; u < s.output(); ++u) {
        d_gate += dyr[u] * out[u];
        d_act_[sz(u)] = row_.gates[sz(slot)] * dyr[u];
      }
      d_gates_[sz(slot)] = d_gate;
      for (int64_t j = s.layers() - 1; j >= 0; --j) {
        const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
        const double* act = activation(j, r, slot);
        const double* in = j > 0 ? activation(j - 1, r, slot) : xr;
        const double* w = p.weights[sz(j)] + e * n_in * n_out;
        double* dw = g.weights[sz(j)] + e * n_in * n_out;
        double* db = s.expert[sz(j)].bias ? g.biases[sz(j)] + e * n_out : nullptr;
        for (int64_t u = 0; u < n_out; ++u) {
          d_act_[sz(u)] *= activation::derivative_from_output(s.expert[sz(j)].activation, act[u]);
          if (db != nullptr) db[u] += d_act_[sz(u)];
        }
        for (int64_t i = 0; i < n_in; ++i) {
          double d_in = 0.0;
          for (int64_t u = 0; u < n_out; ++u) {
            dw[i * n_out + u] += in[i] * d_act_[sz(u)];
            d_in += w[i * n_out + u] * d_act_[sz(u)];
          }
          d_in_[sz(i)] = d_in;
        }
        std::copy(d_in_.begin(), d_in_.begin() + n_in, d_act_.begin());
      }
      for (int64_t i = 0; i < s.input; ++i) dxr[i] += d_act_[sz(i)];
    }
    gating::backward_row(s, clean, raw, eps_row(r), row_, d_gates_.data(), d_load_.data(), d_clean_.data(),
                         d_raw_.data());
    for (int64_t d = 0; d < s.input; ++d) {
      for (int64_t e = 0; e < e_count; ++e) {
        g.gate[d * e_count + e] += xr[d] * d_clean_[sz(e)];
        dxr[d] += p.gate[d * e_count + e] * d_clean_[sz(e)];
        if (s.noisy) {
          g.noise[d * e_count + e] += xr[d] * d_raw_[sz(e)];
          dxr[d] += p.noise[d * e_count + e] * d_raw_[sz(e)];
        }
      }
    }
  }
}

}  // namespace ynet::ops::moe::reference
