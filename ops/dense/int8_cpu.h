#pragma once
// Dense in int8 on oneDNN (rules in int8.h): each row of x is quantized to u8 or s8 with its own
// scale, a u8/s8 x s8 matmul accumulates in int32 and scales each column by s_w on the way out
// (oneDNN's per-column output scales, given at run time), and one pass over y applies the row
// scale, the bias and a ReLU; sigmoid and tanh follow as a oneDNN eltwise in place. oneDNN cannot
// take the per-row scale as a post-op here without falling back to its reference kernel.
// The int8 weights live in this kernel, packed in the layout oneDNN picked for the product.
//
// Without VNNI (AVX2-only CPUs such as AMD Zen 3, AVX-512 before Cascade Lake) oneDNN's int8 kernels
// add pairs of u8 x s8 products in 16 bits (vpmaddubsw), which saturates for 255 x 127 + 255 x 127,
// so the product would not be the integer sum the rules define. There the same integers are
// multiplied as floats (exact up to 2^24, then rounded like an fp32 sum) by an fp32 matmul.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/activation/kind.h"
#include "ops/support/dnnl_call.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense::cpu {

class Int8Kernel {
 public:
  Int8Kernel(const DenseShape& shape, ActivationKind activation, bool unsigned_input, const dnnl::engine& engine);

  // Quantizes W [inputs, outputs] per column, packs it and writes the column scales (the prologue).
  void quantize_weights(const float* w, float* w_scale, const dnnl::stream& stream);
  // y = f(s_x s_w (qx qW) + b), with the column scales quantize_weights wrote.
  void forward(const float* x, const float* w_scale, const float* b, float* y, const dnnl::stream& stream);

  // Which oneDNN implementation runs the product (for tests and profiles).
  const std::string& implementation() const { return implementation_; }
  // False where the CPU lacks VNNI and the integers are multiplied in fp32 (see above).
  bool integer_product() const { return integer_product_; }

 private:
  void quantize_input(const float* x);
  static bool cpu_adds_products_in_32_bits();

  DenseShape shape_;
  ActivationKind activation_;
  bool unsigned_input_;
  bool integer_product_;
  dnnl::engine engine_;
  std::vector<std::uint8_t> quantized_input_;  // rows x inputs, u8 or s8
  std::vector<float> input_values_;            // the same integers as floats, without VNNI only
  std::vector<float> row_scales_;
  dnnl::memory::desc plain_weights_desc_;
  dnnl::memory packed_weights_, src_, dst_, column_scales_;
  dnnl::reorder pack_;
  dnnl_call::Call product_, activation_call_;
  std::string implementation_;
};

}  // namespace ynet::ops::dense::cpu
