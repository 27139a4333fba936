#pragma once
// Shape and parameter layout of an LSTM stack, shared by the reference and the oneDNN kernels.
//
// Data is batch-major, as everywhere in a plan: x [B, T, in], y [B, T, H], lengths [B] (int32).
// Parameters of layer l, canonical layout (the checkpoint stores exactly this; it is the TensorFlow
// kernel layout, x W, and oneDNN's ldigo; gate order i, f, g, o as oneDNN and cuDNN use it):
//   W [in_l, 4*H]   column (g*H + j) holds the input weights of unit j of gate g
//   U [H, 4*H]      recurrent weights, same column order
//   b [4*H]         bias; forget_bias is NOT folded in: it is a constant added to f's preactivation
// in_0 = input, in_l = H for l > 0.
//
// Per layer l (input u_0 = x, u_l = y_{l-1}):
//   a_l = LSTM_l(u_l)                                   (h0 = c0 = 0)
//   r_l = a_l * keep_l + (residual && in_l == H ? u_l : 0)
//   y_l = valid * r_l                                   valid[b, t] = t < lengths[b]
// keep_l is the inverted-dropout scale (0 or 1/(1-rate)) for layer l's output, taken as a buffer
// [layers, B, T, H] so that every backend applies the very same mask (dropout_keep.h fills it from
// Philox); without it keep = 1 (inference).
// Dropout therefore falls on the LSTM output only, never on the residual path.
// Zeroing y past each length is exact for a one-directional LSTM: outputs before t never depend on
// inputs at or after t, and the gradients at padded positions come out exactly 0.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ynet::ops::lstm {

struct LstmShape {
  int64_t batch = 0;
  int64_t time = 0;
  int64_t input = 0;
  int64_t hidden = 0;
  int64_t layers = 1;
  bool residual = false;
  double forget_bias = 1.0;

  int64_t layer_input(int64_t layer) const { return layer == 0 ? input : hidden; }
  bool residual_at(int64_t layer) const { return residual && layer_input(layer) == hidden; }
  int64_t gates() const { return 4 * hidden; }
  int64_t rows() const { return batch * time; }

  void validate() const {
    if (batch < 1 || time < 1 || input < 1 || hidden < 1 || layers < 1) {
      throw std::invalid_argument("LSTM: batch, time, input, hidden and layers must all be positive (got " +
                                  std::to_string(batch) + ", " + std::to_string(time) + ", " +
                                  std::to_string(input) + ", " + std::to_string(hidden) + ", " +
                                  std::to_string(layers) + ")");
    }
  }
};

template <class T>
struct LayerParams {
  const T* w = nullptr;  // [in_l, 4H]
  const T* u = nullptr;  // [H, 4H]
  const T* b = nullptr;  // [4H]
};

// Gradients are written, not accumulated: a plan that feeds a parameter into several ops sums them.
template <class T>
struct LayerGrads {
  T* w = nullptr;
  T* u = nullptr;
  T* b = nullptr;
};

}  // namespace ynet::ops::lstm
