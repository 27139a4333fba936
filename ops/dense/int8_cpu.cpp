#include "ops/dense/int8_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ops/dense/int8.h"

namespace ynet::ops::dense::cpu {

using dnnl_call::bind;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

dnnl::algorithm eltwise_algorithm(ActivationKind kind) {
  if (kind == ActivationKind::sigmoid) return dnnl::algorithm::eltwise_logistic;
  if (kind == ActivationKind::tanh) return dnnl::algorithm::eltwise_tanh;
  return dnnl::algorithm::undef;
}

// One row of x to bytes (u8, or s8 stored in the same bytes); returns the row's scale.
[[gnu::target_clones("avx512f", "avx2", "default")]]
float quantize_row(const float* x, std::size_t size, bool unsigned_input, std::uint8_t* out) {
  float largest = 0.f;
  if (unsigned_input) {
    for (std::size_t i = 0; i < size; ++i) largest = std::max(largest, x[i]);
  } else {
    for (std::size_t i = 0; i < size; ++i) largest = std::max(largest, std::abs(x[i]));
  }
  const float scale = int8::scale_for(largest, unsigned_input ? int8::kUnsignedLevels : int8::kSignedLevels);
  const float inverse = 1.f / scale;
  const float low = unsigned_input ? 0.f : static_cast<float>(-int8::kSignedLevels);
  const float high = static_cast<float>(unsigned_input ? int8::kUnsignedLevels : int8::kSignedLevels);
  if (unsigned_input) {
    for (std::size_t i = 0; i < size; ++i)
      out[i] = static_cast<std::uint8_t>(std::clamp(std::nearbyint(x[i] * inverse), low, high));
  } else {
    auto* signed_out = reinterpret_cast<std::int8_t*>(out);
    for (std::size_t i = 0; i < size; ++i)
      signed_out[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(x[i] * inverse), low, high));
  }
  return scale;
}

// Our own loops read what oneDNN wrote; the handle is shared, so waiting on a copy waits on it.
void wait(const dnnl::stream& stream) { dnnl::stream(stream).wait(); }

}  // namespace

bool Int8Kernel::cpu_adds_products_in_32_bits() {
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx2_vnni || isa == dnnl::cpu_isa::avx512_core_vnni ||
         isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

Int8Kernel::Int8Kernel(const DenseShape& shape, ActivationKind activation, bool unsigned_input,
                       const dnnl::engine& engine)
    : shape_(shape),
      activation_(activation),
      unsigned_input_(unsigned_input),
      integer_product_(cpu_adds_products_in_32_bits()),
      engine_(engine),
      quantized_input_(shape.rows * shape.inputs),
      input_values_(integer_product_ ? 0 : shape.rows * shape.inputs),
      row_scales_(shape.rows) {
  const auto rows = static_cast<dnnl::memory::dim>(shape.rows);
  const auto inputs = static_cast<dnnl::memory::dim>(shape.inputs);
  const auto outputs = static_cast<dnnl::memory::dim>(shape.outputs);
  const dt src_type = !integer_product_ ? dt::f32 : unsigned_input ? dt::u8 : dt::s8;
  const dnnl::memory::desc src_desc({rows, inputs}, src_type, tag::ab);
  const dnnl::memory::desc any_weights({inputs, outputs}, integer_product_ ? dt::s8 : dt::f32, tag::any);
  const dnnl::memory::desc dst_desc({rows, outputs}, dt::f32, tag::ab);
  plain_weights_desc_ = dnnl::memory::desc({inputs, outputs}, dt::s8, tag::ab);

  dnnl::primitive_attr attr;
  attr.set_output_scales(1 << 1, {DNNL_RUNTIME_F32_VAL});
  const dnnl::matmul::primitive_desc product_pd(dnnl::matmul::desc(src_desc, any_weights, dst_desc), attr, engine);
  implementation_ = product_pd.impl_info_str();
  packed_weights_ = dnnl::memory(product_pd.weights_desc(), engine);
  pack_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, plain_weights_desc_, engine, product_pd.weights_desc()));

  src_ = dnnl_call::unbound_memory(src_desc, engine);
  dst_ = dnnl_call::unbound_memory(dst_desc, engine);
  column_scales_ = dnnl_call::unbound_memory(dnnl_call::plain_desc({outputs}, tag::x), engine);
  if (integer_product_) {
    bind(src_, quantized_input_.data());
  } else {
    bind(src_, input_values_.data());
  }
  product_ = dnnl_call::Call(dnnl::matmul(product_pd), {{DNNL_ARG_SRC, src_},
                                                        {DNNL_ARG_WEIGHTS, packed_weights_},
                                                        {DNNL_ARG_DST, dst_},
                                                        {DNNL_ARG_ATTR_OUTPUT_SCALES, column_scales_}});
  if (eltwise_algorithm(activation) != dnnl::algorithm::undef) {
    const dnnl::eltwise_forward::primitive_desc activation_pd(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, eltwise_algorithm(activation), dst_desc, 0.f,
                                    0.f),
        engine);
    activation_call_ = dnnl_call::Call(dnnl::eltwise_forward(activation_pd), {{DNNL_ARG_SRC, dst_}, {DNNL_ARG_DST, dst_}});
  }
}

void Int8Kernel::quantize_weights(const float* w, float* w_scale, const dnnl::stream& stream) {
  const std::size_t inputs = shape_.inputs, outputs = shape_.outputs;
  std::vector<double> largest(outputs, 0.0);
  for (std::size_t i = 0; i < inputs; ++i)
    for (std::size_t o = 0; o < outputs; ++o) largest[o] = std::max(largest[o], std::abs(static_cast<double>(w[i * outputs + o])));
  std::vector<double> scale(outputs);
  for (std::size_t o = 0; o < outputs; ++o) {
    scale[o] = int8::scale_for(largest[o], int8::kSignedLevels);
    w_scale[o] = static_cast<float>(scale[o]);
  }
  // Runs once, after the parameters are loaded: the plain copy is temporary.
  std::vector<std::int8_t> plain(inputs * outputs);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(inputs); ++i) {
    const std::size_t row = static_cast<std::size_t>(i) * outputs;
    for (std::size_t o = 0; o < outputs; ++o)
      plain[row + o] = static_cast<std::int8_t>(
          int8::quantize(static_cast<double>(w[row + o]), scale[o], -int8::kSignedLevels, int8::kSignedLevels));
  }
  dnnl::memory plain_memory(plain_weights_desc_, engine_, plain.data());
  pack_.execute(stream, plain_memory, packed_weights_);
  wait(stream);
}

void Int8Kernel::quantize_input(const float* x) {
  const std::size_t inputs = shape_.inputs;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(shape_.rows); ++r) {
    const auto row = static_cast<std::size_t>(r);
    std::uint8_t* quantized = quantized_input_.data() + row * inputs;
    row_scales_[row] = quantize_row(x + row * inputs, inputs, unsigned_input_, quantized);
    if (integer_product_) continue;
    float* values = input_values_.data() + row * inputs;
    if (unsigned_input_) {
      for (std::size_t k = 0; k < inputs; ++k) values[k] = static_cast<float>(quantized[k]);
    } else {
      for (std::size_t k = 0; k < inputs; ++k) values[k] = static_cast<float>(static_cast<std::int8_t>(quantized[k]));
    }
  }
}

void Int8Kernel::forward(const float* x, const float* w_scale, const float* b, float* y, const dnnl::stream& stream) {
  quantize_input(x);
  bind(column_scales_, w_scale);
  bind(dst_, y);
  product_.execute(stream);
  wait(stream);
  const std::size_t outputs = shape_.outputs;
  const bool relu = activation_ == ActivationKind::relu;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(shape_.rows); ++r) {
    float* out = y + static_cast<std::size_t>(r) * outputs;
    const float row_scale = row_scales_[static_cast<std::size_t>(r)];
    for (std::size_t o = 0; o < outputs; ++o) {
      const float z = out[o] * row_scale + (b ? b[o] : 0.f);
      out[o] = relu ? std::max(z, 0.f) : z;
    }
  }
  if (eltwise_algorithm(activation_) != dnnl::algorithm::undef) {
    activation_call_.execute(stream);
    wait(stream);
  }
}

}  // namespace ynet::ops::dense::cpu
