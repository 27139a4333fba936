#include "ops/lstm/cuda.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "ops/lstm/dropout_keep.h"
#include "ops/support/cuda/library_check.h"

namespace ynet::ops::lstm::cuda {
namespace {

// What padded output positions are filled with (they are masked again by layer_output anyway).
float padding_fill = 0.f;

const LstmShape& validated(const LstmShape& shape) {
  shape.validate();
  return shape;
}

size_t floats(int64_t count) { return static_cast<size_t>(count) * sizeof(float); }

// The dimensions cuDNN reports for one matrix or bias of the weight space.
void expect_dims(cudnnTensorDescriptor_t desc, int64_t rows, int64_t cols, int64_t layer, const char* what) {
  cudnnDataType_t type{};
  int count = 0, dims[3] = {}, strides[3] = {};
  YNET_CUDA_CHECK(cudnnGetTensorNdDescriptor(desc, 3, &type, &count, dims, strides));
  if (count != 3 || dims[0] != 1 || dims[1] != rows || dims[2] != cols || strides[2] != 1 || strides[1] != cols)
    throw std::runtime_error(fmt::format(
        "LSTM layer {}: cuDNN lays out its {} as [{}, {}, {}] with strides [{}, {}, {}], not [1, {}, {}] row-major",
        layer, what, dims[0], dims[1], dims[2], strides[0], strides[1], strides[2], rows, cols));
}

}  // namespace

Kernel::Kernel(const LstmShape& shape, bool training, double dropout, uint32_t stream, const int32_t* host_lengths,
               runtime::cuda::DeviceBuffers& buffers)
    : shape_(validated(shape)),
      training_(training),
      dropout_(training ? dropout : 0.0),
      stream_id_(stream),
      host_lengths_(host_lengths),
      context_(&buffers.context()) {
  if (!(dropout_ >= 0.0 && dropout_ < 1.0)) throw std::invalid_argument("LSTM dropout must be in [0, 1)");
  cudnnHandle_t dnn = context_->dnn;
  const auto batch = static_cast<int>(shape_.batch), time = static_cast<int>(shape_.time);
  const auto hidden = static_cast<int>(shape_.hidden);
  YNET_CUDA_CHECK(cudnnCreateDropoutDescriptor(&no_dropout_));
  YNET_CUDA_CHECK(cudnnSetDropoutDescriptor(no_dropout_, dnn, 0.f, nullptr, 0, 0));
  YNET_CUDA_CHECK(cudnnCreateTensorDescriptor(&state_desc_));
  const int state_dims[3] = {1, batch, hidden}, state_strides[3] = {batch * hidden, hidden, 1};
  YNET_CUDA_CHECK(cudnnSetTensorNdDescriptor(state_desc_, CUDNN_DATA_FLOAT, 3, state_dims, state_strides));
  seq_lengths_.assign(static_cast<size_t>(batch), time);
  const cudnnForwardMode_t mode = training_ ? CUDNN_FWD_MODE_TRAINING : CUDNN_FWD_MODE_INFERENCE;
  layers_.resize(static_cast<size_t>(shape_.layers));
  for (int64_t l = 0; l < shape_.layers; ++l) {
    Layer& layer = layers_[static_cast<size_t>(l)];
    const auto input = static_cast<int>(shape_.layer_input(l));
    YNET_CUDA_CHECK(cudnnCreateRNNDescriptor(&layer.rnn));
    YNET_CUDA_CHECK(cudnnSetRNNDescriptor_v8(layer.rnn, CUDNN_RNN_ALGO_STANDARD, CUDNN_LSTM, CUDNN_RNN_DOUBLE_BIAS,
                                             CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT, CUDNN_DATA_FLOAT,
                                             CUDNN_DATA_FLOAT, context_->rnn_math(), input, hidden, hidden, 1,
                                             no_dropout_, CUDNN_RNN_PADDED_IO_ENABLED));
    YNET_CUDA_CHECK(cudnnCreateRNNDataDescriptor(&layer.x_desc));
    YNET_CUDA_CHECK(cudnnCreateRNNDataDescriptor(&layer.y_desc));
    YNET_CUDA_CHECK(cudnnSetRNNDataDescriptor(layer.x_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED,
                                              time, batch, input, seq_lengths_.data(), &padding_fill));
    YNET_CUDA_CHECK(cudnnSetRNNDataDescriptor(layer.y_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED,
                                              time, batch, hidden, seq_lengths_.data(), &padding_fill));
    YNET_CUDA_CHECK(cudnnGetRNNWeightSpaceSize(dnn, layer.rnn, &layer.weight_bytes));
    // Sized with every sequence at full length, the most any batch can need.
    size_t work = 0, reserve = 0;
    YNET_CUDA_CHECK(cudnnGetRNNTempSpaceSizes(dnn, layer.rnn, mode, layer.x_desc, &work, &reserve));
    work_bytes_ = std::max(work_bytes_, work);
    layer.reserve_bytes = training_ ? reserve : 0;
    max_weight_bytes_ = std::max(max_weight_bytes_, layer.weight_bytes);
    layer.weights = buffers.persistent(layer.weight_bytes);
    layer.reserve = buffers.persistent(layer.reserve_bytes);
    layer.output = buffers.persistent(floats(layer_elements()));
    if (l > 0) layer.input = buffers.persistent(floats(layer_elements()));
  }
  device_lengths_ = buffers.persistent(static_cast<size_t>(batch) * sizeof(int32_t));
  forward_work_ = buffers.transient({work_bytes_})[0];
  buffers.after_allocation([this] {
    for (int64_t l = 0; l < shape_.layers; ++l) locate_weights(layers_[static_cast<size_t>(l)], l);
  });
}

Kernel::~Kernel() {
  for (Layer& layer : layers_) {
    cudnnDestroyRNNDataDescriptor(layer.y_desc);
    cudnnDestroyRNNDataDescriptor(layer.x_desc);
    cudnnDestroyRNNDescriptor(layer.rnn);
  }
  cudnnDestroyTensorDescriptor(state_desc_);
  cudnnDestroyDropoutDescriptor(no_dropout_);
}

void Kernel::plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers) {
  const bool stacked = shape_.layers > 1;
  const auto scratch = buffers.transient({floats(layer_elements()), stacked ? floats(layer_elements()) : 0,
                                          stacked ? floats(layer_elements()) : 0,
                                          needs_dx ? 0 : floats(shape_.batch * shape_.time * shape_.input),
                                          max_weight_bytes_, work_bytes_});
  d_output_ = scratch[0];
  d_input_[0] = scratch[1];
  d_input_[1] = scratch[2];
  dx_scratch_ = scratch[3];
  gradient_space_ = scratch[4];
  backward_work_ = scratch[5];
}

void Kernel::locate_weights(Layer& layer, int64_t l) {
  cudnnTensorDescriptor_t matrix = nullptr, bias = nullptr;
  YNET_CUDA_CHECK(cudnnCreateTensorDescriptor(&matrix));
  YNET_CUDA_CHECK(cudnnCreateTensorDescriptor(&bias));
  char* base = layer.weights.as<char>();
  const int64_t hidden = shape_.hidden, input = shape_.layer_input(l);
  try {
    // Linear layers 0-3 multiply the input, 4-7 the recurrent state, each in gate order i, f, g, o.
    for (int lin = 0; lin < 8; ++lin) {
      void* matrix_at = nullptr;
      void* bias_at = nullptr;
      YNET_CUDA_CHECK(cudnnGetRNNWeightParams(context_->dnn, layer.rnn, 0, layer.weight_bytes, base, lin, matrix,
                                              &matrix_at, bias, &bias_at));
      if (matrix_at == nullptr || bias_at == nullptr)
        throw std::runtime_error(fmt::format("LSTM layer {}: cuDNN reports no weights for linear layer {}", l, lin));
      expect_dims(matrix, hidden, lin < 4 ? input : hidden, l, lin < 4 ? "input weights" : "recurrent weights");
      expect_dims(bias, hidden, 1, l, "bias");
      const auto offset = static_cast<size_t>(static_cast<char*>(matrix_at) - base);
      if (lin < 4) {
        layer.layout.input[lin] = offset;
        layer.layout.bias[lin] = static_cast<size_t>(static_cast<char*>(bias_at) - base);
      } else {
        layer.layout.recurrent[lin - 4] = offset;
      }
    }
  } catch (...) {
    cudnnDestroyTensorDescriptor(bias);
    cudnnDestroyTensorDescriptor(matrix);
    throw;
  }
  cudnnDestroyTensorDescriptor(bias);
  cudnnDestroyTensorDescriptor(matrix);
}

void Kernel::set_lengths() {
  const auto time = static_cast<int>(shape_.time), batch = static_cast<int>(shape_.batch);
  for (int b = 0; b < batch; ++b) seq_lengths_[static_cast<size_t>(b)] = host_lengths_ ? std::clamp(host_lengths_[b], 1, time) : time;
  for (int64_t l = 0; l < shape_.layers; ++l) {
    Layer& layer = layers_[static_cast<size_t>(l)];
    YNET_CUDA_CHECK(cudnnSetRNNDataDescriptor(layer.x_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED,
                                              time, batch, static_cast<int>(shape_.layer_input(l)),
                                              seq_lengths_.data(), &padding_fill));
    YNET_CUDA_CHECK(cudnnSetRNNDataDescriptor(layer.y_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED,
                                              time, batch, static_cast<int>(shape_.hidden), seq_lengths_.data(),
                                              &padding_fill));
  }
  sequence_lengths(lengths_, shape_.batch, shape_.time, device_lengths_.as<int32_t>(), context_->stream);
}

void Kernel::to_weight_space(const Layer& layer, int64_t l, const LayerParams<float>& p) {
  char* base = layer.weights.as<char>();
  const int64_t hidden = shape_.hidden, input = shape_.layer_input(l);
  cudaStream_t stream = context_->stream;
  GateVectors bias{};
  for (int g = 0; g < 4; ++g) {
    transpose(p.w + g * hidden, input, hidden, 4 * hidden, reinterpret_cast<float*>(base + layer.layout.input[g]),
              input, stream);
    transpose(p.u + g * hidden, hidden, hidden, 4 * hidden, reinterpret_cast<float*>(base + layer.layout.recurrent[g]),
              hidden, stream);
    bias.gate[g] = reinterpret_cast<float*>(base + layer.layout.bias[g]);
  }
  bias_to_gates(p.b, hidden, static_cast<float>(shape_.forget_bias), bias, stream);
}

void Kernel::from_gradient_space(const Layer& layer, int64_t l, char* gradients, const LayerGrads<float>& g) {
  const int64_t hidden = shape_.hidden, input = shape_.layer_input(l);
  cudaStream_t stream = context_->stream;
  GateVectors bias{};
  for (int gate = 0; gate < 4; ++gate) {
    if (g.w)
      transpose(reinterpret_cast<const float*>(gradients + layer.layout.input[gate]), hidden, input, input,
                g.w + gate * hidden, 4 * hidden, stream);
    if (g.u)
      transpose(reinterpret_cast<const float*>(gradients + layer.layout.recurrent[gate]), hidden, hidden, hidden,
                g.u + gate * hidden, 4 * hidden, stream);
    bias.gate[gate] = reinterpret_cast<float*>(gradients + layer.layout.bias[gate]);
  }
  if (g.b) bias_from_gates(bias, hidden, g.b, stream);
}

Keep Kernel::keep_of(int64_t l, const runtime::StepContext& ctx) const {
  Keep k;
  if (!(training_ && dropout_ > 0.0)) return k;
  k.active = true;
  k.key = {ctx.seed, static_cast<uint64_t>(ctx.step), stream_id_};
  k.threshold = dropout::philox::drop_threshold(dropout_);
  k.scale = static_cast<float>(1.0 / (1.0 - dropout_));
  k.offset = static_cast<int64_t>(layer_first_element(ctx.slice, l, shape_.batch, shape_.time, shape_.hidden));
  return k;
}

void Kernel::forward(std::span<const LayerParams<float>> params, const float* x, const int32_t* lengths, float* y,
                     const runtime::StepContext& ctx) {
  x_ = x;
  lengths_ = lengths;
  set_lengths();
  const SequenceDims dims{shape_.batch, shape_.time, shape_.hidden};
  const cudnnForwardMode_t mode = training_ ? CUDNN_FWD_MODE_TRAINING : CUDNN_FWD_MODE_INFERENCE;
  const float* u = x;
  for (int64_t l = 0; l < shape_.layers; ++l) {
    const Layer& layer = layers_[static_cast<size_t>(l)];
    to_weight_space(layer, l, params[static_cast<size_t>(l)]);
    YNET_CUDA_CHECK(cudnnRNNForward(context_->dnn, layer.rnn, mode, device_lengths_.as<int32_t>(), layer.x_desc, u,
                                    layer.y_desc, layer.output.as<float>(), state_desc_, nullptr, nullptr, state_desc_,
                                    nullptr, nullptr, layer.weight_bytes, layer.weights.as<void>(), work_bytes_,
                                    forward_work_.as<void>(), layer.reserve_bytes,
                                    layer.reserve_bytes ? layer.reserve.as<void>() : nullptr));
    float* next = l + 1 < shape_.layers ? layers_[static_cast<size_t>(l + 1)].input.as<float>() : y;
    layer_output(dims, keep_of(l, ctx), lengths, layer.output.as<float>(), shape_.residual_at(l) ? u : nullptr, next,
                 context_->stream);
    u = next;
  }
}

void Kernel::backward(const float* dy, float* dx, std::span<const LayerGrads<float>> grads,
                      const runtime::StepContext& ctx) {
  if (!training_) throw std::logic_error("LSTM backward after an inference-mode forward");
  const SequenceDims dims{shape_.batch, shape_.time, shape_.hidden};
  cudaStream_t stream = context_->stream;
  const float* g = dy;
  for (int64_t l = shape_.layers - 1; l >= 0; --l) {
    const Layer& layer = layers_[static_cast<size_t>(l)];
    float* d_output = d_output_.as<float>();
    output_gradient(dims, keep_of(l, ctx), lengths_, g, d_output, stream);
    float* d_input = l > 0 ? d_input_[l % 2].as<float>() : (dx ? dx : dx_scratch_.as<float>());
    const float* u = l > 0 ? layer.input.as<float>() : x_;
    YNET_CUDA_CHECK(cudnnRNNBackwardData_v8(
        context_->dnn, layer.rnn, device_lengths_.as<int32_t>(), layer.y_desc, layer.output.as<float>(), d_output,
        layer.x_desc, d_input, state_desc_, nullptr, nullptr, nullptr, state_desc_, nullptr, nullptr, nullptr,
        layer.weight_bytes, layer.weights.as<void>(), work_bytes_, backward_work_.as<void>(), layer.reserve_bytes,
        layer.reserve.as<void>()));
    input_gradient(dims, shape_.layer_input(l), lengths_, g, shape_.residual_at(l), d_input, stream);
    char* gradients = gradient_space_.as<char>();
    YNET_CUDA_CHECK(cudaMemsetAsync(gradients, 0, layer.weight_bytes, stream));
    YNET_CUDA_CHECK(cudnnRNNBackwardWeights_v8(context_->dnn, layer.rnn, CUDNN_WGRAD_MODE_ADD,
                                               device_lengths_.as<int32_t>(), layer.x_desc, u, state_desc_, nullptr,
                                               layer.y_desc, layer.output.as<float>(), layer.weight_bytes, gradients,
                                               work_bytes_, backward_work_.as<void>(), layer.reserve_bytes,
                                               layer.reserve.as<void>()));
    from_gradient_space(layer, l, gradients, grads[static_cast<size_t>(l)]);
    g = d_input;
  }
}

}  // namespace ynet::ops::lstm::cuda
