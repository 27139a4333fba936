#pragma once
// Plain C++ LSTM stack in double precision: the slow, obviously correct kernel that the oneDNN one
// and the finite-difference checks are measured against. Math and layouts: lstm_shape.h.
#include <span>
#include <vector>

#include "ops/lstm/lstm_shape.h"

namespace ynet::ops::lstm::reference {

class Kernel {
 public:
  explicit Kernel(const LstmShape& shape);

  const LstmShape& shape() const { return shape_; }

  // x [B,T,in], lengths [B], keep [layers,B,T,H] or nullptr, y [B,T,H]. Keeps what backward needs.
  void forward(std::span<const LayerParams<double>> params, const double* x, const int32_t* lengths,
               const double* keep, double* y);

  // dy [B,T,H] -> dx [B,T,in] and every layer's parameter gradients, for the last forward call.
  void backward(std::span<const LayerParams<double>> params, const double* dy, double* dx,
                std::span<const LayerGrads<double>> grads);

 private:
  struct LayerState {
    std::vector<double> input;  // u_l [B,T,in_l]
    std::vector<double> gates;  // activated i, f, g, o [B,T,4H]
    std::vector<double> cell;   // c_t [B,T,H]
    std::vector<double> out;    // a_l = h_t [B,T,H]
  };

  void forward_layer(int64_t layer, const LayerParams<double>& p);
  void backward_layer(int64_t layer, const LayerParams<double>& p, const double* d_out, double* d_in,
                      const LayerGrads<double>& g);
  bool valid(int64_t b, int64_t t) const { return t < length_[b]; }

  LstmShape shape_;
  std::vector<LayerState> layers_;
  std::vector<int64_t> length_;
  std::vector<double> keep_;       // [layers,B,T,H]; all ones without dropout
  std::vector<double> d_output_;   // gradient w.r.t. the current layer's output y_l
  std::vector<double> d_input_;    // gradient w.r.t. the current layer's input u_l
  std::vector<double> d_h_, d_c_, d_z_;  // per-step BPTT state [H], [H], [4H]
};

}  // namespace ynet::ops::lstm::reference
