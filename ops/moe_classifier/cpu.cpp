#include "ops/moe_classifier/cpu.h"

#include "ops/moe_classifier/mixture.h"

namespace ynet::ops::moe_classifier::cpu {
namespace {

size_t sz(int64_t n) { return static_cast<size_t>(n); }

const ClassifierShape& validated(const ClassifierShape& shape) {
  shape.validate();
  return shape;
}

// The host loops between primitives read their results; dnnl::stream::wait() is not const.
void wait(const dnnl::stream& stream) {
  dnnl::error::wrap_c_api(dnnl_stream_wait(stream.get()), "could not wait on a stream");
}

}  // namespace

Kernel::Kernel(const ClassifierShape& shape, const dnnl::engine& engine)
    : shape_(validated(shape)),
      gate_logits_({.m = shape.batch, .k = shape.input, .n = shape.gate_columns()}, engine),
      expert_probabilities_({.m = shape.batch,
                             .k = shape.input,
                             .n = shape.expert_columns(),
                             .bias = true,
                             .activation = ActivationKind::sigmoid},
                            engine),
      gate_weight_grad_({.m = shape.input, .k = shape.batch, .n = shape.gate_columns(), .a_transposed = true},
                        engine),
      expert_weight_grad_({.m = shape.input, .k = shape.batch, .n = shape.expert_columns(), .a_transposed = true},
                          engine),
      gate_input_grad_({.m = shape.batch, .k = shape.gate_columns(), .n = shape.input, .b_transposed = true},
                       engine),
      expert_input_grad_({.m = shape.batch,
                          .k = shape.expert_columns(),
                          .n = shape.input,
                          .b_transposed = true,
                          .accumulate = true},
                         engine),
      gates_(sz(shape.batch * shape.gate_columns())),
      experts_(sz(shape.batch * shape.expert_columns())),
      d_gate_logits_(gates_.size()),
      d_expert_logits_(experts_.size()) {}

void Kernel::forward(const Params<float>& params, const float* x, float* p, const dnnl::stream& stream) {
  const ClassifierShape& s = shape_;
  x_ = x;
  gate_logits_.run(0, x, params.gate_weights, nullptr, gates_.data(), stream);
  expert_probabilities_.run(0, x, params.expert_weights, params.expert_bias, experts_.data(), stream);
  wait(stream);
#pragma omp parallel for
  for (int64_t b = 0; b < s.batch; ++b) {
    mixture::forward_row(s, gates_.data() + b * s.gate_columns(), experts_.data() + b * s.expert_columns(),
                         p + b * s.classes);
  }
}

void Kernel::backward(const Params<float>& params, const float* dp, float* dx, const Grads<float>& g,
                      const dnnl::stream& stream) {
  const ClassifierShape& s = shape_;
  const int64_t expert_cols = s.expert_columns();
#pragma omp parallel for
  for (int64_t b = 0; b < s.batch; ++b) {
    mixture::backward_row(s, gates_.data() + b * s.gate_columns(), experts_.data() + b * expert_cols,
                          dp + b * s.classes, d_gate_logits_.data() + b * s.gate_columns(),
                          d_expert_logits_.data() + b * expert_cols);
  }
  // Each column is summed by one thread in batch order: the same result for any thread count.
#pragma omp parallel for
  for (int64_t j = 0; j < expert_cols; ++j) {
    float sum = 0.0f;
    for (int64_t b = 0; b < s.batch; ++b) sum += d_expert_logits_[sz(b * expert_cols + j)];
    g.expert_bias[j] = sum;
  }
  gate_weight_grad_.run(0, x_, d_gate_logits_.data(), nullptr, g.gate_weights, stream);
  expert_weight_grad_.run(0, x_, d_expert_logits_.data(), nullptr, g.expert_weights, stream);
  gate_input_grad_.run(0, d_gate_logits_.data(), params.gate_weights, nullptr, dx, stream);
  expert_input_grad_.run(0, d_expert_logits_.data(), params.expert_weights, nullptr, dx, stream);
  wait(stream);
}

}  // namespace ynet::ops::moe_classifier::cpu
