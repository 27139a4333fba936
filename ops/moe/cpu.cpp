#include "ops/moe/cpu.h"

#include <algorithm>
#include <utility>

#include "ops/moe/batch_losses.h"

namespace ynet::ops::moe::cpu {
namespace {

size_t sz(int64_t n) { return static_cast<size_t>(n); }

const MoeShape& validated(const MoeShape& shape) {
  shape.validate();
  return shape;
}

// The host loops between primitives read their results; dnnl::stream::wait() is not const.
void wait(const dnnl::stream& stream) {
  dnnl::error::wrap_c_api(dnnl_stream_wait(stream.get()), "could not wait on a stream");
}

}  // namespace

Kernel::Kernel(const MoeShape& shape, const dnnl::engine& engine) : shape_(validated(shape)), row_(shape_) {
  const MoeShape& s = shape_;
  const int64_t rows = s.rows();
  const int64_t slots = rows * s.top_k;
  gate_forward_ = Matmul({.m = rows, .k = s.input, .n = s.experts}, engine);
  gate_backward_weights_ = Matmul({.m = s.input, .k = rows, .n = s.experts, .a_transposed = true}, engine);
  gate_backward_data_ = Matmul({.m = rows, .k = s.experts, .n = s.input, .b_transposed = true, .accumulate = true},
                               engine);
  int64_t widest = s.input;
  for (int64_t j = 0; j < s.layers(); ++j) {
    const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
    expert_matmuls_.push_back(ExpertMatmuls{
        Matmul({.m = kRuntimeDim,
                .k = n_in,
                .n = n_out,
                .bias = s.expert[sz(j)].bias,
                .activation = s.expert[sz(j)].activation},
               engine),
        Matmul({.m = kRuntimeDim, .k = n_out, .n = n_in, .b_transposed = true}, engine),
        Matmul({.m = n_in, .k = kRuntimeDim, .n = n_out, .a_transposed = true}, engine)});
    acts_.emplace_back(sz(slots * n_out));
    widest = std::max(widest, n_out);
  }
  valid_.resize(sz(rows));
  for (auto* v : {&clean_, &d_clean_}) v->resize(sz(rows * s.experts));
  if (s.noisy) {
    for (auto* v : {&raw_, &d_raw_}) v->resize(sz(rows * s.experts));
  }
  expert_of_.resize(sz(slots));
  gate_of_.resize(sz(slots));
  position_.resize(sz(slots));
  row_of_position_.resize(sz(slots));
  counts_.resize(sz(s.experts));
  offsets_.resize(sz(s.experts + 1));
  cursor_.resize(sz(s.experts));
  grouped_x_.resize(sz(slots * s.input));
  d_act_.resize(sz(slots * widest));
  d_in_.resize(sz(slots * widest));
  for (auto* v : {&importance_, &load_, &d_importance_, &d_load_}) v->resize(sz(s.experts));
  d_gates_.resize(sz(slots));
}

Losses Kernel::forward(const Params<float>& p, const float* x, const int32_t* lengths, const float* eps, float* y,
                       const runtime::BatchSlice& slice, const dnnl::stream& stream) {
  const MoeShape& s = shape_;
  const int64_t e_count = s.experts;
  x_ = x;
  eps_ = s.noisy ? eps : nullptr;
  valid_rows_ = 0;
  for (int64_t r = 0; r < s.rows(); ++r) {
    valid_[sz(r)] = lengths == nullptr || r % s.time < lengths[r / s.time];
    valid_rows_ += valid_[sz(r)];
  }
  gate_forward_.run(0, x, p.gate, nullptr, clean_.data(), stream);
  if (s.noisy) gate_forward_.run(0, x, p.noise, nullptr, raw_.data(), stream);
  wait(stream);

  std::fill(importance_.begin(), importance_.end(), 0.0);
  std::fill(load_.begin(), load_.end(), 0.0);
  std::fill(counts_.begin(), counts_.end(), 0);
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    gating::forward_row(s, clean_.data() + r * e_count, s.noisy ? raw_.data() + r * e_count : nullptr, eps_row(r),
                        row_, load_.data());
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const int32_t e = row_.order[sz(slot)];
      expert_of_[sz(r * s.top_k + slot)] = e;
      gate_of_[sz(r * s.top_k + slot)] = row_.gates[sz(slot)];
      importance_[sz(e)] += row_.gates[sz(slot)];
      ++counts_[sz(e)];
    }
  }
  group_rows();

  for (int64_t j = 0; j < s.layers(); ++j) {
    const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
    for (int64_t e = 0; e < e_count; ++e) {
      const int64_t count = counts_[sz(e)], offset = offsets_[sz(e)];
      if (count == 0) continue;
      const float* bias = s.expert[sz(j)].bias ? p.biases[sz(j)] + e * n_out : nullptr;
      expert_matmuls_[sz(j)].forward.run(count, grouped_input(j) + offset * n_in,
                                         p.weights[sz(j)] + e * n_in * n_out, bias,
                                         acts_[sz(j)].data() + offset * n_out, stream);
    }
  }
  wait(stream);

  const int64_t n_out = s.output();
  const float* out = acts_.back().data();
  std::fill(y, y + s.rows() * n_out, 0.0f);
#pragma omp parallel for
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const auto g = static_cast<float>(gate_of_[sz(r * s.top_k + slot)]);
      const float* o = out + position_[sz(r * s.top_k + slot)] * n_out;
      for (int64_t u = 0; u < n_out; ++u) y[r * n_out + u] += g * o[u];
    }
  }
  aux_gradient_scale_ = aux_gradient_scale(s, slice);
  return batch_losses(s, slice, importance_, load_);
}

// Lays each expert's rows out contiguously, in row order, and copies their inputs there.
void Kernel::group_rows() {
  const MoeShape& s = shape_;
  offsets_[0] = 0;
  for (int64_t e = 0; e < s.experts; ++e) offsets_[sz(e + 1)] = offsets_[sz(e)] + counts_[sz(e)];
  std::copy(offsets_.begin(), offsets_.end() - 1, cursor_.begin());
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const int64_t position = cursor_[sz(expert_of_[sz(r * s.top_k + slot)])]++;
      position_[sz(r * s.top_k + slot)] = position;
      row_of_position_[sz(position)] = r;
      std::copy(x_ + r * s.input, x_ + (r + 1) * s.input, grouped_x_.begin() + position * s.input);
    }
  }
}

void Kernel::backward(const Params<float>& p, const float* dy, float d_aux, float* dx, const Grads<float>& g,
                      const dnnl::stream& stream) {
  const MoeShape& s = shape_;
  const double d_losses = d_aux * aux_gradient_scale_;
  gating::cv_squared_gradient(importance_, d_losses * s.w_importance, d_importance_);
  if (s.has_load_loss()) gating::cv_squared_gradient(load_, d_losses * s.w_load, d_load_);

  const int64_t n_out = s.output();
  const float* out = acts_.back().data();
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    const float* dyr = dy + r * n_out;
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const size_t k = sz(r * s.top_k + slot);
      const int64_t position = position_[k];
      const float* o = out + position * n_out;
      float* d_o = d_act_.data() + position * n_out;
      const auto gate = static_cast<float>(gate_of_[k]);
      double d_gate = d_importance_[sz(expert_of_[k])];
      for (int64_t u = 0; u < n_out; ++u) {
        d_gate += static_cast<double>(dyr[u]) * o[u];
        d_o[u] = gate * dyr[u];
      }
      d_gates_[k] = d_gate;
    }
  }
  backward_experts(p, g, stream);

  // backward_experts leaves the gradient w.r.t. the grouped inputs in d_act_; each row sums its
  // slots in slot order, so the result does not depend on the thread count.
  std::fill(dx, dx + s.rows() * s.input, 0.0f);
#pragma omp parallel for
  for (int64_t r = 0; r < s.rows(); ++r) {
    if (valid_[sz(r)] == 0) continue;
    float* dxr = dx + r * s.input;
    for (int64_t slot = 0; slot < s.top_k; ++slot) {
      const float* d_grouped = d_act_.data() + position_[sz(r * s.top_k + slot)] * s.input;
      for (int64_t i = 0; i < s.input; ++i) dxr[i] += d_grouped[i];
    }
  }
  backward_gating(p, g, dx, stream);
}

void Kernel::backward_experts(const Params<float>& p, const Grads<float>& g, const dnnl::stream& stream) {
  const MoeShape& s = shape_;
  const int64_t positions = valid_rows_ * s.top_k;
  for (int64_t j = s.layers() - 1; j >= 0; --j) {
    const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
    const ActivationKind kind = s.expert[sz(j)].activation;
    if (kind != ActivationKind::none) {
      const float* act = acts_[sz(j)].data();
#pragma omp parallel for
      for (int64_t q = 0; q < positions * n_out; ++q) {
        d_act_[sz(q)] *= static_cast<float>(activation::derivative_from_output(kind, act[q]));
      }
    }
    for (int64_t e = 0; e < s.experts; ++e) {
      const int64_t count = counts_[sz(e)], offset = offsets_[sz(e)];
      float* dw = g.weights[sz(j)] + e * n_in * n_out;
      float* db = s.expert[sz(j)].bias ? g.biases[sz(j)] + e * n_out : nullptr;
      if (db != nullptr) std::fill(db, db + n_out, 0.0f);
      if (count == 0) {
        std::fill(dw, dw + n_in * n_out, 0.0f);
        continue;
      }
      const float* d_pre = d_act_.data() + offset * n_out;
      for (int64_t q = 0; db != nullptr && q < count; ++q) {
        for (int64_t u = 0; u < n_out; ++u) db[u] += d_pre[q * n_out + u];
      }
      expert_matmuls_[sz(j)].backward_weights.run(count, grouped_input(j) + offset * n_in, d_pre, nullptr, dw,
                                                  stream);
      expert_matmuls_[sz(j)].backward_data.run(count, d_pre, p.weights[sz(j)] + e * n_in * n_out, nullptr,
                                               d_in_.data() + offset * n_in, stream);
    }
    wait(stream);
    std::swap(d_act_, d_in_);
  }
}

void Kernel::backward_gating(const Params<float>& p, const Grads<float>& g, float* dx, const dnnl::stream& stream) {
  const MoeShape& s = shape_;
  const int64_t e_count = s.experts;
  for (int64_t r = 0; r < s.rows(); ++r) {
    float* d_clean = d_clean_.data() + r * e_count;
    float* d_raw = s.noisy ? d_raw_.data() + r * e_count : nullptr;
    if (valid_[sz(r)] == 0) {
      std::fill(d_clean, d_clean + e_count, 0.0f);
      if (d_raw != nullptr) std::fill(d_raw, d_raw + e_count, 0.0f);
      continue;
    }
    const float* clean = clean_.data() + r * e_count;
    const float* raw = s.noisy ? raw_.data() + r * e_count : nullptr;
    gating::forward_row(s, clean, raw, eps_row(r), row_, nullptr);
    gating::backward_row(s, clean, raw, eps_row(r), row_, d_gates_.data() + r * s.top_k, d_load_.data(), d_clean,
                         d_raw);
  }
  gate_backward_weights_.run(0, x_, d_clean_.data(), nullptr, g.gate, stream);
  gate_backward_data_.run(0, d_clean_.data(), p.gate, nullptr, dx, stream);
  if (s.noisy) {
    gate_backward_weights_.run(0, x_, d_raw_.data(), nullptr, g.noise, stream);
    gate_backward_data_.run(0, d_raw_.data(), p.noise, nullptr, dx, stream);
  }
  wait(stream);
}

}  // namespace ynet::ops::moe::cpu
