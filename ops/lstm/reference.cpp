#include "ops/lstm/reference.h"

#include <algorithm>
#include <cmath>

#include "ops/activation/kind.h"

namespace ynet::ops::lstm::reference {

Kernel::Kernel(const LstmShape& shape) : shape_(shape) {
  shape_.validate();
  const int64_t rows = shape_.rows();
  const int64_t hidden = shape_.hidden;
  layers_.resize(static_cast<size_t>(shape_.layers));
  for (int64_t l = 0; l < shape_.layers; ++l) {
    LayerState& s = layers_[static_cast<size_t>(l)];
    s.input.resize(static_cast<size_t>(rows * shape_.layer_input(l)));
    s.gates.resize(static_cast<size_t>(rows * 4 * hidden));
    s.cell.resize(static_cast<size_t>(rows * hidden));
    s.out.resize(static_cast<size_t>(rows * hidden));
  }
  length_.resize(static_cast<size_t>(shape_.batch));
  keep_.resize(static_cast<size_t>(shape_.layers * rows * hidden));
  d_output_.resize(static_cast<size_t>(rows * hidden));
  d_input_.resize(static_cast<size_t>(rows * std::max(shape_.input, hidden)));
  d_h_.resize(static_cast<size_t>(hidden));
  d_c_.resize(static_cast<size_t>(hidden));
  d_z_.resize(static_cast<size_t>(4 * hidden));
}

void Kernel::forward(std::span<const LayerParams<double>> params, const double* x,
                            const int32_t* lengths, const double* keep, double* y) {
  const int64_t rows = shape_.rows();
  const int64_t hidden = shape_.hidden;
  for (int64_t b = 0; b < shape_.batch; ++b) {
    length_[static_cast<size_t>(b)] = std::clamp<int64_t>(lengths[b], 0, shape_.time);
  }
  if (keep != nullptr) {
    std::copy(keep, keep + keep_.size(), keep_.begin());
  } else {
    std::fill(keep_.begin(), keep_.end(), 1.0);
  }
  std::copy(x, x + rows * shape_.input, layers_[0].input.begin());
  for (int64_t l = 0; l < shape_.layers; ++l) {
    forward_layer(l, params[static_cast<size_t>(l)]);
    LayerState& s = layers_[static_cast<size_t>(l)];
    double* next = l + 1 < shape_.layers ? layers_[static_cast<size_t>(l + 1)].input.data() : y;
    const double* keep_l = keep_.data() + l * rows * hidden;
    const bool residual = shape_.residual_at(l);
    for (int64_t b = 0; b < shape_.batch; ++b) {
      for (int64_t t = 0; t < shape_.time; ++t) {
        const int64_t row = b * shape_.time + t;
        for (int64_t j = 0; j < hidden; ++j) {
          const int64_t k = row * hidden + j;
          double r = s.out[static_cast<size_t>(k)] * keep_l[k];
          if (residual) r += s.input[static_cast<size_t>(k)];
          next[k] = valid(b, t) ? r : 0.0;
        }
      }
    }
  }
}

void Kernel::forward_layer(int64_t layer, const LayerParams<double>& p) {
  LayerState& s = layers_[static_cast<size_t>(layer)];
  const int64_t in = shape_.layer_input(layer);
  const int64_t hidden = shape_.hidden;
  for (int64_t b = 0; b < shape_.batch; ++b) {
    for (int64_t t = 0; t < shape_.time; ++t) {
      const int64_t row = b * shape_.time + t;
      const double* u = s.input.data() + row * in;
      const double* h_prev = t > 0 ? s.out.data() + (row - 1) * hidden : nullptr;
      const double* c_prev = t > 0 ? s.cell.data() + (row - 1) * hidden : nullptr;
      double* gates = s.gates.data() + row * 4 * hidden;
      for (int64_t r = 0; r < 4 * hidden; ++r) {
        double z = p.b[r];
        for (int64_t i = 0; i < in; ++i) z += p.w[i * 4 * hidden + r] * u[i];
        if (h_prev != nullptr) {
          for (int64_t i = 0; i < hidden; ++i) z += p.u[i * 4 * hidden + r] * h_prev[i];
        }
        const int64_t gate = r / hidden;
        if (gate == 1) z += shape_.forget_bias;
        gates[r] = gate == 2 ? std::tanh(z) : activation::sigmoid(z);
      }
      for (int64_t j = 0; j < hidden; ++j) {
        const double i_gate = gates[j], f_gate = gates[hidden + j];
        const double g_gate = gates[2 * hidden + j], o_gate = gates[3 * hidden + j];
        const double c = (c_prev != nullptr ? f_gate * c_prev[j] : 0.0) + i_gate * g_gate;
        s.cell[static_cast<size_t>(row * hidden + j)] = c;
        s.out[static_cast<size_t>(row * hidden + j)] = o_gate * std::tanh(c);
      }
    }
  }
}

void Kernel::backward(std::span<const LayerParams<double>> params, const double* dy, double* dx,
                             std::span<const LayerGrads<double>> grads) {
  const int64_t rows = shape_.rows();
  const int64_t hidden = shape_.hidden;
  std::copy(dy, dy + rows * hidden, d_output_.begin());
  for (int64_t l = shape_.layers - 1; l >= 0; --l) {
    double* d_in = l > 0 ? d_input_.data() : dx;
    backward_layer(l, params[static_cast<size_t>(l)], d_output_.data(), d_in, grads[static_cast<size_t>(l)]);
    if (l > 0) std::copy(d_in, d_in + rows * hidden, d_output_.begin());
  }
}

// d_out: gradient w.r.t. y_l; d_in receives the gradient w.r.t. u_l.
void Kernel::backward_layer(int64_t layer, const LayerParams<double>& p, const double* d_out,
                                   double* d_in, const LayerGrads<double>& g) {
  const LayerState& s = layers_[static_cast<size_t>(layer)];
  const int64_t in = shape_.layer_input(layer);
  const int64_t hidden = shape_.hidden;
  const int64_t rows = shape_.rows();
  const double* keep_l = keep_.data() + layer * rows * hidden;
  const bool residual = shape_.residual_at(layer);
  std::fill(g.w, g.w + 4 * hidden * in, 0.0);
  std::fill(g.u, g.u + 4 * hidden * hidden, 0.0);
  std::fill(g.b, g.b + 4 * hidden, 0.0);
  for (int64_t b = 0; b < shape_.batch; ++b) {
    std::fill(d_h_.begin(), d_h_.end(), 0.0);  // gradient arriving from step t+1 through h_t
    std::fill(d_c_.begin(), d_c_.end(), 0.0);  // and through c_t
    for (int64_t t = shape_.time - 1; t >= 0; --t) {
      const int64_t row = b * shape_.time + t;
      const double* gates = s.gates.data() + row * 4 * hidden;
      const double* u = s.input.data() + row * in;
      double* d_u = d_in + row * in;
      for (int64_t i = 0; i < in; ++i) {
        d_u[i] = residual && valid(b, t) ? d_out[row * hidden + i] : 0.0;
      }
      for (int64_t j = 0; j < hidden; ++j) {
        const int64_t k = row * hidden + j;
        const double d_r = valid(b, t) ? d_out[k] : 0.0;
        const double d_h = d_r * keep_l[k] + d_h_[static_cast<size_t>(j)];
        const double i_gate = gates[j], f_gate = gates[hidden + j];
        const double g_gate = gates[2 * hidden + j], o_gate = gates[3 * hidden + j];
        const double c = s.cell[static_cast<size_t>(k)];
        const double c_prev = t > 0 ? s.cell[static_cast<size_t>(k - hidden)] : 0.0;
        const double tanh_c = std::tanh(c);
        const double d_c = d_h * o_gate * (1.0 - tanh_c * tanh_c) + d_c_[static_cast<size_t>(j)];
        d_z_[static_cast<size_t>(j)] = d_c * g_gate * i_gate * (1.0 - i_gate);
        d_z_[static_cast<size_t>(hidden + j)] = d_c * c_prev * f_gate * (1.0 - f_gate);
        d_z_[static_cast<size_t>(2 * hidden + j)] = d_c * i_gate * (1.0 - g_gate * g_gate);
        d_z_[static_cast<size_t>(3 * hidden + j)] = d_h * tanh_c * o_gate * (1.0 - o_gate);
        d_c_[static_cast<size_t>(j)] = d_c * f_gate;
      }
      const double* h_prev = t > 0 ? s.out.data() + (row - 1) * hidden : nullptr;
      std::fill(d_h_.begin(), d_h_.end(), 0.0);
      for (int64_t r = 0; r < 4 * hidden; ++r) {
        const double dz = d_z_[static_cast<size_t>(r)];
        g.b[r] += dz;
        for (int64_t i = 0; i < in; ++i) {
          g.w[i * 4 * hidden + r] += dz * u[i];
          d_u[i] += p.w[i * 4 * hidden + r] * dz;
        }
        if (h_prev != nullptr) {
          for (int64_t i = 0; i < hidden; ++i) {
            g.u[i * 4 * hidden + r] += dz * h_prev[i];
            d_h_[static_cast<size_t>(i)] += p.u[i * 4 * hidden + r] * dz;
          }
        }
      }
    }
  }
}

}  // namespace ynet::ops::lstm::reference
