#include "ops/moe/cuda.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "ops/support/cuda/cuda_check.h"
#include "ops/moe/gating.h"

namespace ynet::ops::moe::cuda {
namespace {

using runtime::cuda::MatmulShape;
using runtime::cuda::PlannedMatmul;

size_t floats(int64_t n) { return static_cast<size_t>(n) * sizeof(float); }
size_t ints(int64_t n) { return static_cast<size_t>(n) * sizeof(int32_t); }
size_t doubles(int64_t n) { return static_cast<size_t>(n) * sizeof(double); }

const MoeShape& validated(const MoeShape& shape) {
  shape.validate();
  return shape;
}

}  // namespace

Kernel::Kernel(const MoeShape& shape, bool training, uint32_t stream, runtime::cuda::DeviceBuffers& buffers)
    : shape_(validated(shape)),
      training_(training),
      stream_id_(stream),
      context_(&buffers.context()),
      gate_chunks_(runtime::cuda::ColumnChunks::of(shape.rows(), shape.experts)),
      clean_product_(buffers, MatmulShape{shape.rows(), shape.experts, shape.input}) {
  const MoeShape& s = shape_;
  const int64_t rows = s.rows(), experts = s.experts, pairs = rows * s.top_k;
  dims_ = {rows, s.time, experts, s.top_k, std::min(s.top_k + 1, experts), s.noisy, s.has_load_loss()};
  if (s.noisy) raw_product_ = std::make_unique<PlannedMatmul>(buffers, MatmulShape{rows, experts, s.input});
  void* pinned = nullptr;
  if (cudaHostAlloc(&pinned, ints(experts), cudaHostAllocDefault) != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error("cannot allocate pinned host memory for the MoE expert counts");
  }
  host_counts_ = static_cast<int32_t*>(pinned);
  counts_.assign(static_cast<size_t>(experts), 0);
  offsets_.assign(static_cast<size_t>(experts), 0);

  clean_ = buffers.persistent(floats(rows * experts));
  if (s.noisy) raw_ = buffers.persistent(floats(rows * experts));
  if (s.noisy && training_) eps_ = buffers.persistent(floats(rows * experts));
  order_ = buffers.persistent(ints(rows * dims_.slots));
  gates_ = buffers.persistent(floats(pairs));
  destination_ = buffers.persistent(ints(pairs));
  row_of_ = buffers.persistent(ints(pairs));
  slot_of_ = buffers.persistent(ints(pairs));
  expert_of_ = buffers.persistent(ints(pairs));
  device_counts_ = buffers.persistent(ints(experts));
  device_offsets_ = buffers.persistent(ints(experts));
  importance_ = buffers.persistent(doubles(experts));
  load_ = buffers.persistent(doubles(experts));
  grouped_x_ = buffers.persistent(floats(pairs * s.input));
  for (int64_t j = 0; j < s.layers(); ++j) acts_.push_back(buffers.persistent(floats(pairs * s.layer_output(j))));
  const auto scratch = buffers.transient({floats(rows * experts), dims_.load_loss ? floats(rows * experts) : 0,
                                          gate_chunks_.partial_bytes(2), ints(pairs)});
  dense_gates_ = scratch[0];
  probabilities_ = scratch[1];
  partials_ = scratch[2];
  positions_ = scratch[3];
}

Kernel::~Kernel() { cudaFreeHost(host_counts_); }

void Kernel::plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers) {
  const MoeShape& s = shape_;
  const int64_t rows = s.rows(), experts = s.experts, pairs = rows * s.top_k;
  gate_weight_grad_ = std::make_unique<PlannedMatmul>(buffers, MatmulShape{s.input, experts, rows, true, false});
  if (s.noisy)
    noise_weight_grad_ = std::make_unique<PlannedMatmul>(buffers, MatmulShape{s.input, experts, rows, true, false});
  if (needs_dx) {
    const MatmulShape input_grad{rows, s.input, experts, false, true};
    gate_input_grad_ =
        std::make_unique<PlannedMatmul>(buffers, input_grad, runtime::cuda::Epilogue::none, nullptr, true);
    if (s.noisy)
      noise_input_grad_ =
          std::make_unique<PlannedMatmul>(buffers, input_grad, runtime::cuda::Epilogue::none, nullptr, true);
  }
  int64_t widest = s.input;
  for (int64_t j = 0; j < s.layers(); ++j) widest = std::max(widest, s.layer_output(j));
  const auto scratch =
      buffers.transient({doubles(experts), doubles(experts), doubles(pairs), floats(pairs * widest),
                         floats(pairs * widest), floats(rows * experts), s.noisy ? floats(rows * experts) : 0});
  d_importance_ = scratch[0];
  d_load_ = scratch[1];
  d_gates_ = scratch[2];
  d_act_ = scratch[3];
  d_in_ = scratch[4];
  d_clean_ = scratch[5];
  d_raw_ = scratch[6];
}

float* Kernel::grouped_input(int64_t j) const {
  return j == 0 ? grouped_x_.as<float>() : acts_[static_cast<size_t>(j - 1)].as<float>();
}

void Kernel::forward(const Params<float>& p, const float* x, const int32_t* lengths, float* y, float* aux,
                     const runtime::StepContext& ctx) {
  const MoeShape& s = shape_;
  // Without auxiliary losses the layer is row by row, and a slice needs only its noise keyed by the
  // global row (below); with them Importance and Load would have to be summed over the ranks.
  const bool aux_losses = s.w_importance != 0 || (s.has_load_loss() && s.w_load != 0);
  if (ctx.slice.distributed() && training_ && aux_losses)
    throw std::runtime_error(
        "MoE: data-parallel training on the CUDA backend is not built yet (the importance and load losses "
        "would be this process's rows' alone); train data-parallel on the cpu or reference backend");
  cudaStream_t stream = context_->stream;
  x_ = x;
  lengths_ = lengths;
  clean_product_.run(x, p.gate, clean_.as<float>());
  const float* raw = nullptr;
  if (s.noisy) {
    raw_product_->run(x, p.noise, raw_.as<float>());
    raw = raw_.as<float>();
  }
  const float* eps = nullptr;
  if (s.noisy && training_) {
    gating_noise({ctx.seed, static_cast<uint64_t>(ctx.step), stream_id_},
                 static_cast<uint64_t>(ctx.slice.first_element(s.time * s.experts)), s.rows() * s.experts,
                 eps_.as<float>(), stream);
    eps = eps_.as<float>();
  }
  gate_rows(dims_, lengths, clean_.as<float>(), raw, eps, order_.as<int32_t>(), gates_.as<float>(),
            dense_gates_.as<float>(), dims_.load_loss ? probabilities_.as<float>() : nullptr, stream);
  gating_losses(dims_, gate_chunks_, dense_gates_.as<float>(), probabilities_.as<float>(), s.w_importance, s.w_load,
                gating::kCvEpsilon, partials_.as<double>(), importance_.as<double>(), load_.as<double>(), aux, stream);
  count_pairs(dims_, lengths, order_.as<int32_t>(), positions_.as<int32_t>(), device_counts_.as<int32_t>(),
              device_offsets_.as<int32_t>(), stream);
  // The experts' products need their row counts on the host.
  YNET_CUDA_CHECK(cudaMemcpyAsync(host_counts_, device_counts_.as<int32_t>(), ints(s.experts), cudaMemcpyDeviceToHost,
                                  stream));
  YNET_CUDA_CHECK(cudaStreamSynchronize(stream));
  grouped_ = 0;
  for (size_t e = 0; e < counts_.size(); ++e) {
    counts_[e] = host_counts_[e];
    offsets_[e] = grouped_;
    grouped_ += counts_[e];
  }
  gather(dims_, s.input, lengths, order_.as<int32_t>(), positions_.as<int32_t>(), device_offsets_.as<int32_t>(), x,
         destination_.as<int32_t>(), grouped_x_.as<float>(), row_of_.as<int32_t>(), slot_of_.as<int32_t>(),
         expert_of_.as<int32_t>(), stream);
  for (int64_t j = 0; j < s.layers(); ++j) {
    const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
    const float* in = grouped_input(j);
    float* out = acts_[static_cast<size_t>(j)].as<float>();
    for (size_t e = 0; e < counts_.size(); ++e) {
      if (counts_[e] == 0) continue;
      runtime::cuda::gemm(*context_, MatmulShape{counts_[e], n_out, n_in}, in + offsets_[e] * n_in,
                          p.weights[static_cast<size_t>(j)] + static_cast<int64_t>(e) * n_in * n_out,
                          out + offsets_[e] * n_out);
    }
    const ExpertLayer& layer = s.expert[static_cast<size_t>(j)];
    bias_activation(grouped_, n_out, layer.bias ? p.biases[static_cast<size_t>(j)] : nullptr, expert_of_.as<int32_t>(),
                    layer.activation, out, stream);
  }
  combine(dims_, s.output(), lengths, gates_.as<float>(), destination_.as<int32_t>(), acts_.back().as<float>(), y,
          stream);
}

void Kernel::backward(const Params<float>& p, const float* dy, const float* d_aux, float* dx, const Grads<float>& g) {
  const MoeShape& s = shape_;
  cudaStream_t stream = context_->stream;
  loss_gradients(dims_, importance_.as<double>(), load_.as<double>(), d_aux, s.w_importance, s.w_load,
                 gating::kCvEpsilon, d_importance_.as<double>(), d_load_.as<double>(), stream);
  gate_gradients(dims_, s.output(), lengths_, order_.as<int32_t>(), destination_.as<int32_t>(),
                 d_importance_.as<double>(), dy, acts_.back().as<float>(), d_gates_.as<double>(), stream);
  float* d_act = d_act_.as<float>();
  float* d_in = d_in_.as<float>();
  output_gradient(grouped_, s.output(), s.top_k, row_of_.as<int32_t>(), slot_of_.as<int32_t>(), gates_.as<float>(), dy,
                  d_act, stream);
  for (int64_t j = s.layers() - 1; j >= 0; --j) {
    const auto layer = static_cast<size_t>(j);
    const int64_t n_in = s.layer_input(j), n_out = s.layer_output(j);
    activation_gradient(grouped_ * n_out, s.expert[layer].activation, acts_[layer].as<float>(), d_act, stream);
    if (s.expert[layer].bias && g.biases[layer])
      bias_gradient(s.experts, n_out, device_counts_.as<int32_t>(), device_offsets_.as<int32_t>(), d_act,
                    g.biases[layer], stream);
    if (g.weights[layer]) {
      YNET_CUDA_CHECK(cudaMemsetAsync(g.weights[layer], 0, floats(s.experts * n_in * n_out), stream));
      for (size_t e = 0; e < counts_.size(); ++e) {
        if (counts_[e] == 0) continue;
        runtime::cuda::gemm(*context_, MatmulShape{n_in, n_out, counts_[e], true, false},
                            grouped_input(j) + offsets_[e] * n_in, d_act + offsets_[e] * n_out,
                            g.weights[layer] + static_cast<int64_t>(e) * n_in * n_out);
      }
    }
    if (j > 0 || dx) {
      for (size_t e = 0; e < counts_.size(); ++e) {
        if (counts_[e] == 0) continue;
        runtime::cuda::gemm(*context_, MatmulShape{counts_[e], n_in, n_out, false, true}, d_act + offsets_[e] * n_out,
                            p.weights[layer] + static_cast<int64_t>(e) * n_in * n_out, d_in + offsets_[e] * n_in);
      }
    }
    std::swap(d_act, d_in);
  }
  if (dx) scatter_input_gradient(dims_, s.input, lengths_, destination_.as<int32_t>(), d_act, dx, stream);
  gate_rows_backward(dims_, lengths_, clean_.as<float>(), s.noisy ? raw_.as<float>() : nullptr,
                     s.noisy && training_ ? eps_.as<float>() : nullptr, order_.as<int32_t>(), d_gates_.as<double>(),
                     d_load_.as<double>(), d_clean_.as<float>(), s.noisy ? d_raw_.as<float>() : nullptr, stream);
  if (g.gate) gate_weight_grad_->run(x_, d_clean_.as<float>(), g.gate);
  if (s.noisy && g.noise) noise_weight_grad_->run(x_, d_raw_.as<float>(), g.noise);
  if (dx) {
    gate_input_grad_->run(d_clean_.as<float>(), p.gate, dx);
    if (s.noisy) noise_input_grad_->run(d_raw_.as<float>(), p.noise, dx);
  }
}

}  // namespace ynet::ops::moe::cuda
