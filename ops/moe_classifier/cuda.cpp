#include "ops/moe_classifier/cuda.h"

#include "ops/moe_classifier/cuda_kernels.h"

namespace ynet::ops::moe_classifier::cuda {
namespace {

using runtime::cuda::Epilogue;
using runtime::cuda::MatmulShape;
using runtime::cuda::PlannedMatmul;

size_t floats(int64_t count) { return static_cast<size_t>(count) * sizeof(float); }

const ClassifierShape& validated(const ClassifierShape& shape) {
  shape.validate();
  return shape;
}

}  // namespace

Kernel::Kernel(const ClassifierShape& shape, const float* expert_bias, runtime::cuda::DeviceBuffers& buffers)
    : shape_(validated(shape)),
      stream_(buffers.stream()),
      gate_logits_(buffers, MatmulShape{shape.batch, shape.gate_columns(), shape.input}),
      expert_logits_(buffers, MatmulShape{shape.batch, shape.expert_columns(), shape.input}, Epilogue::bias,
                     expert_bias),
      bias_chunks_(runtime::cuda::ColumnChunks::of(shape.batch, shape.expert_columns())),
      gates_(buffers.persistent(floats(shape.batch * shape.gate_columns()))),
      experts_(buffers.persistent(floats(shape.batch * shape.expert_columns()))) {}

void Kernel::plan_backward(bool needs_dx, runtime::cuda::DeviceBuffers& buffers) {
  const ClassifierShape& s = shape_;
  gate_weight_grad_ = std::make_unique<PlannedMatmul>(buffers, MatmulShape{s.input, s.gate_columns(), s.batch, true});
  expert_weight_grad_ =
      std::make_unique<PlannedMatmul>(buffers, MatmulShape{s.input, s.expert_columns(), s.batch, true});
  if (needs_dx) {
    gate_input_grad_ =
        std::make_unique<PlannedMatmul>(buffers, MatmulShape{s.batch, s.input, s.gate_columns(), false, true});
    expert_input_grad_ = std::make_unique<PlannedMatmul>(
        buffers, MatmulShape{s.batch, s.input, s.expert_columns(), false, true}, Epilogue::none, nullptr, true);
  }
  const auto scratch = buffers.transient({floats(s.batch * s.gate_columns()), floats(s.batch * s.expert_columns()),
                                          bias_chunks_.partial_bytes(1)});
  d_gate_logits_ = scratch[0];
  d_expert_logits_ = scratch[1];
  partials_ = scratch[2];
}

void Kernel::forward(const Params<float>& params, const float* x, float* p) {
  gate_logits_.run(x, params.gate_weights, gates_.as<float>());
  expert_logits_.run(x, params.expert_weights, experts_.as<float>());
  mix(shape_, gates_.as<float>(), experts_.as<float>(), p, stream_);
}

void Kernel::backward(const Params<float>& params, const float* x, const float* dp, float* dx, const Grads<float>& g) {
  float* d_gates = d_gate_logits_.as<float>();
  float* d_experts = d_expert_logits_.as<float>();
  unmix(shape_, gates_.as<float>(), experts_.as<float>(), dp, d_gates, d_experts, stream_);
  if (g.gate_weights) gate_weight_grad_->run(x, d_gates, g.gate_weights);
  if (g.expert_weights) expert_weight_grad_->run(x, d_experts, g.expert_weights);
  if (g.expert_bias) runtime::cuda::column_sums(bias_chunks_, d_experts, g.expert_bias, partials_.as<double>(), stream_);
  if (dx && gate_input_grad_) {
    gate_input_grad_->run(d_gates, params.gate_weights, dx);
    expert_input_grad_->run(d_experts, params.expert_weights, dx);
  }
}

}  // namespace ynet::ops::moe_classifier::cuda
