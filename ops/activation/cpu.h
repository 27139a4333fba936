#pragma once
// oneDNN elementwise activation over `count` floats. Backward uses the *_use_dst_for_bwd algorithms,
// so it needs the forward output and not the input.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>

#include "ops/activation/kind.h"
#include "ops/support/dnnl_call.h"

namespace ynet::ops::activation::cpu {

// The oneDNN algorithm for `kind`; ActivationKind::none has none (it is a copy).
dnnl::algorithm eltwise_algorithm(ActivationKind kind);

class Kernel {
 public:
  Kernel(ActivationKind kind, std::size_t count, const dnnl::engine& engine);

  // x and y may alias.
  void forward(const float* x, float* y, const dnnl::stream& stream) const;
  // dy and dx may alias.
  void backward(const float* y, const float* dy, float* dx, const dnnl::stream& stream) const;

 private:
  ActivationKind kind_;
  std::size_t count_;
  dnnl::memory x_, y_, dy_, dx_;
  dnnl_call::Call forward_, backward_;
};

}  // namespace ynet::ops::activation::cpu
