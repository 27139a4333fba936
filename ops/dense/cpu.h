#pragma once
// oneDNN Dense layer: inner product with the activation fused as an eltwise post-op in forward;
// backward runs the activation's eltwise backward into a workspace, then inner-product backward
// data and backward weights (which also produces the bias gradient).
// Shapes and layouts as in reference.h; the weights stay in the TensorFlow [inputs, outputs]
// layout (oneDNN's "io" format), so checkpoints and the reference backend share them unchanged.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>

#include "ops/activation/kind.h"
#include "ops/support/dnnl_call.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense::cpu {

class Kernel {
 public:
  Kernel(const DenseShape& shape, ActivationKind activation, const dnnl::engine& engine);

  // Bytes of scratch that backward needs (the pre-activation gradient); 0 without an activation.
  std::size_t workspace_bytes() const;

  void forward(const float* x, const float* w, const float* b, float* y, const dnnl::stream& stream) const;
  // dx may be null when the input needs no gradient. dw and db are overwritten.
  void backward(const float* x, const float* w, const float* y, const float* dy, float* dx, float* dw, float* db,
                float* workspace, const dnnl::stream& stream) const;

 private:
  DenseShape shape_;
  ActivationKind activation_;
  dnnl::memory x_, w_, b_, y_, dy_, dz_, dx_, dw_, db_;
  dnnl_call::Call forward_, activation_backward_, backward_data_, backward_weights_;
};

}  // namespace ynet::ops::dense::cpu
