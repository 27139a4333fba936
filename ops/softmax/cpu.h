#pragma once
// Softmax on floats (math in reference.h): oneDNN's softmax primitives over the [runs, width]
// view of the tensor, forward and backward, created once; the padded frames of a sequence are
// then set to 0 (their values never reach a later step: backward gives 0 wherever y is 0).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>

#include "ops/softmax/reference.h"
#include "ops/support/dnnl_call.h"

namespace ynet::ops::softmax::cpu {

class Kernel {
 public:
  Kernel(const SoftmaxShape& shape, const dnnl::engine& engine);

  // lengths may be null (every frame valid).
  void forward(const float* x, const std::int32_t* lengths, float* y, const dnnl::stream& stream) const;
  void backward(const float* y, const float* dy, float* dx, const dnnl::stream& stream) const;

 private:
  SoftmaxShape shape_;
  dnnl::memory x_, y_, dy_, dx_;
  dnnl_call::Call forward_, backward_;
};

}  // namespace ynet::ops::softmax::cpu
