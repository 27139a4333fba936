#pragma once
// LSTM stack on oneDNN (fp32): one lstm_forward / lstm_backward primitive pair per layer, created once
// for a fixed (B, T, in, H, layers), because dropout and the residual sit between layers.
// Math and layouts: lstm_shape.h. Data stays batch-major: oneDNN reads and writes [B,T,F] directly
// (its ntc layout), so no reorder of activations is needed.
// Parameters live in the canonical layout (W [in,4H] is exactly oneDNN's ldigo); sync_params()
// reorders them into whatever layout the primitives chose (in oneDNN 2.6 forward reads ldigo as is,
// backward wants ldgoi), once per parameter update, and adds
// forget_bias to the f part of the bias copy that oneDNN sees. No allocation and no primitive
// creation happens in sync_params(), forward() or backward().
#include <oneapi/dnnl/dnnl.hpp>

#include <span>
#include <vector>

#include "ops/support/dnnl_call.h"
#include "ops/lstm/lstm_shape.h"

namespace ynet::ops::lstm::cpu {

class Kernel {
 public:
  Kernel(const LstmShape& shape, const dnnl::engine& engine);
  // oneDNN memory objects point into this kernel's own buffers: a copy would share them.
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  Kernel(Kernel&&) = default;
  Kernel& operator=(Kernel&&) = default;

  const LstmShape& shape() const { return shape_; }

  // Call after every change to the parameters, before forward().
  void sync_params(std::span<const LayerParams<float>> params, const dnnl::stream& stream);

  // x [B,T,in], lengths [B], keep [layers,B,T,H] or nullptr (inference), y [B,T,H].
  // x and keep must stay unchanged until backward().
  void forward(const float* x, const int32_t* lengths, const float* keep, float* y, const dnnl::stream& stream);

  // dy [B,T,H] -> dx [B,T,in] and every layer's parameter gradients (written, canonical layout).
  void backward(const float* dy, float* dx, std::span<const LayerGrads<float>> grads,
                const dnnl::stream& stream);

 private:
  // A weight tensor in the canonical layout and the copy in the layout a primitive asked for. When
  // both layouts agree the copy is the canonical buffer itself and no reorder runs.
  struct Weights {
    dnnl::memory canonical;
    dnnl::memory chosen;
    dnnl_call::Call reorder;
    bool needs_reorder = false;
  };

  struct Layer {
    dnnl::memory src, dst, workspace, bias;
    dnnl::memory zero_state, diff_state, diff_state_c;  // h0 = c0 = 0 and their (unused) gradients
    dnnl::memory diff_src, diff_dst, diff_bias;
    Weights w_fwd, u_fwd, w_bwd, u_bwd, dw, du;
    dnnl_call::Call forward, backward;
    std::vector<float> output;   // y_l for l < layers-1: the next layer's input
    std::vector<float> bias_with_forget;
  };

  void build_layer(int64_t l);
  void apply_mask(int64_t l, const float* keep, const float* input, float* out) const;

  LstmShape shape_;
  dnnl::engine engine_;
  std::vector<Layer> layers_;
  std::vector<uint8_t> valid_;   // [B*T]
  std::vector<float> d_output_;  // gradient w.r.t. y_l of the layer being differentiated
  std::vector<float> d_lstm_;    // gradient w.r.t. a_l
  std::vector<float> d_input_;   // gradient w.r.t. u_l, l > 0
  const float* keep_ = nullptr;
};

}  // namespace ynet::ops::lstm::cpu
