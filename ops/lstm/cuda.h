#pragma once
// The LSTM stack on cuDNN (math and layouts: lstm_shape.h). Each layer is a one-layer cuDNN RNN,
// because dropout, the residual path and the zeroing past each length sit between layers: cuDNN's
// own inter-layer dropout would draw other masks than the other backends. Sequences are padded,
// batch-major [B,T,F] with per-video lengths (cuDNN reads them from a host array, set before each
// forward step, and a device copy).
//
// cuDNN keeps its weights in a weight space of its own: per gate, W_g [H, in] and R_g [H, H]
// row-major (the transposes of the canonical column blocks) and the biases b_W, b_R [H]. Before
// each forward step the canonical parameters are copied in (transposed tiles; forget_bias added to
// b_W of f; b_R stays 0); after each backward step the weight gradients cuDNN accumulated in a
// gradient space of the same layout are copied out. Descriptors, weight-space addresses and
// workspace sizes are fixed at bind time. What backward needs stays in persistent workspace: per
// layer cuDNN's reserve space, the layer's output before dropout and (above the first layer) its
// input.
#include <cudnn.h>

#include <span>
#include <vector>

#include "ops/op.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/lstm/cuda_kernels.h"
#include "ops/lstm/lstm_shape.h"

namespace ynet::ops::lstm::cuda {

class Kernel {
 public:
  // training: forward steps keep what backward needs and apply dropout (rate, stream: its Philox
  // key, as dropout_keep.h). host_lengths: the lengths buffer's host copy (null: every video T long).
  Kernel(const LstmShape& shape, bool training, double dropout, uint32_t stream, const int32_t* host_lengths,
         runtime::cuda::DeviceBuffers& buffers);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Scratch of the backward step, asked for when it is bound.
  void plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers);

  // x [B,T,in], lengths [B] on the device (null: all T), y [B,T,H]. x must stay unchanged until
  // backward().
  void forward(std::span<const LayerParams<float>> params, const float* x, const int32_t* lengths, float* y,
               const runtime::StepContext& ctx);
  // dy [B,T,H] -> dx [B,T,in] (null: not wanted) and every layer's parameter gradients (written).
  void backward(const float* dy, float* dx, std::span<const LayerGrads<float>> grads, const runtime::StepContext& ctx);

 private:
  // Where cuDNN keeps one layer's parameters, as byte offsets into its weight space (the gradient
  // space has the same layout).
  struct WeightLayout {
    size_t input[4], recurrent[4], bias[4];
  };
  struct Layer {
    cudnnRNNDescriptor_t rnn = nullptr;
    cudnnRNNDataDescriptor_t x_desc = nullptr, y_desc = nullptr;
    size_t weight_bytes = 0, reserve_bytes = 0;
    WeightLayout layout{};
    runtime::cuda::Scratch weights, reserve, output, input;  // output: cuDNN's y; input: u_l for l > 0
  };

  void locate_weights(Layer& layer, int64_t l);
  void set_lengths();
  void to_weight_space(const Layer& layer, int64_t l, const LayerParams<float>& p);
  void from_gradient_space(const Layer& layer, int64_t l, char* gradients, const LayerGrads<float>& g);
  Keep keep_of(int64_t l, const runtime::StepContext& ctx) const;
  int64_t layer_elements() const { return shape_.batch * shape_.time * shape_.hidden; }

  LstmShape shape_;
  bool training_;
  double dropout_;
  uint32_t stream_id_;
  const int32_t* host_lengths_;
  runtime::cuda::DeviceContext* context_;
  cudnnDropoutDescriptor_t no_dropout_ = nullptr;
  cudnnTensorDescriptor_t state_desc_ = nullptr;
  std::vector<Layer> layers_;
  std::vector<int> seq_lengths_;           // host, clamped to [1, T]
  runtime::cuda::Scratch device_lengths_;  // the same on the device
  size_t work_bytes_ = 0, max_weight_bytes_ = 0;
  runtime::cuda::Scratch forward_work_;
  // Backward scratch: the gradient reaching cuDNN's output, the input gradients of two layers in
  // turn, dx when nobody wants it, the gradient space, cuDNN's work space.
  runtime::cuda::Scratch d_output_, d_input_[2], dx_scratch_, gradient_space_, backward_work_;
  const float* x_ = nullptr;
  const int32_t* lengths_ = nullptr;
};

}  // namespace ynet::ops::lstm::cuda
