#include "ops/moe/matmul.h"

#include <array>
#include <stdexcept>

namespace ynet::ops::moe::cpu {
namespace {

using dnnl::memory;
constexpr memory::data_type f32 = memory::data_type::f32;

dnnl::algorithm eltwise_of(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::relu: return dnnl::algorithm::eltwise_relu;
    case ActivationKind::sigmoid: return dnnl::algorithm::eltwise_logistic;
    case ActivationKind::tanh: return dnnl::algorithm::eltwise_tanh;
    case ActivationKind::none: break;
  }
  throw std::logic_error("no eltwise algorithm for a linear activation");
}

}  // namespace

Matmul::Matmul(const MatmulSpec& spec, const dnnl::engine& engine) : spec_(spec), engine_(engine) {
  dnnl::post_ops post_ops;
  if (spec.accumulate) post_ops.append_sum(1.0f);
  if (spec.activation != ActivationKind::none) post_ops.append_eltwise(1.0f, eltwise_of(spec.activation), 0.0f, 0.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  const memory::desc bias_md = spec.bias ? memory::desc({1, spec.n}, f32, memory::format_tag::ab) : memory::desc();
  const memory::desc c_md({spec.m, spec.n}, f32, {spec.n, 1});
  const dnnl::matmul::desc desc(a_desc(spec.m, spec.k), b_desc(spec.k, spec.n), bias_md, c_md);
  primitive_ = dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, engine));
}

// The strides never involve the run-time dimension: a transposed a is only used with K at run time,
// a transposed b has its K fixed.
memory::desc Matmul::a_desc(int64_t m, int64_t k) const {
  return memory::desc({m, k}, f32, spec_.a_transposed ? memory::dims{1, spec_.m} : memory::dims{spec_.k, 1});
}

memory::desc Matmul::b_desc(int64_t k, int64_t n) const {
  return memory::desc({k, n}, f32, spec_.b_transposed ? memory::dims{1, spec_.k} : memory::dims{n, 1});
}

void Matmul::run(int64_t count, const float* a, const float* b, const float* bias, float* c,
                 const dnnl::stream& stream) const {
  const int64_t m = spec_.m == kRuntimeDim ? count : spec_.m;
  const int64_t k = spec_.k == kRuntimeDim ? count : spec_.k;
  // oneDNN never writes through its source handles.
  const memory a_mem(a_desc(m, k), engine_, const_cast<float*>(a));
  const memory b_mem(b_desc(k, spec_.n), engine_, const_cast<float*>(b));
  const memory c_mem(memory::desc({m, spec_.n}, f32, {spec_.n, 1}), engine_, c);
  std::array<dnnl_exec_arg_t, 4> args{{{DNNL_ARG_SRC, a_mem.get()},
                                       {DNNL_ARG_WEIGHTS, b_mem.get()},
                                       {DNNL_ARG_DST, c_mem.get()},
                                       {DNNL_ARG_BIAS, nullptr}}};
  int count_args = 3;
  memory bias_mem;
  if (spec_.bias) {
    bias_mem = memory(memory::desc({1, spec_.n}, f32, memory::format_tag::ab), engine_, const_cast<float*>(bias));
    args[3].memory = bias_mem.get();
    count_args = 4;
  }
  dnnl::error::wrap_c_api(dnnl_primitive_execute(primitive_.get(), stream.get(), count_args, args.data()),
                          "could not execute a matmul");
}

}  // namespace ynet::ops::moe::cpu
