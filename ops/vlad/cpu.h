#pragma once
// VLAD aggregation on floats (math in reference.h). Its three products are batched oneDNN matmuls,
// one per video, created once: v = a^T x, dx = a dv and da = x dv^T, where the transposes are
// strides, never copies. What is left is O(B K F): the centre terms (s c, dv c and dc) in OpenMP
// loops, each value summed by one thread in a fixed order.
#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "ops/support/dnnl_call.h"
#include "ops/vlad/reference.h"

namespace ynet::ops::vlad::cpu {

class Kernel {
 public:
  Kernel(const VladShape& shape, const dnnl::engine& engine);

  // centres may be null (NetRVLAD).
  void forward(const float* a, const float* x, const float* centres, float* v, const dnnl::stream& stream) const;
  // da, dx and dcentres may each be null.
  void backward(const float* a, const float* x, const float* centres, const float* dv, float* da, float* dx,
                float* dcentres, const dnnl::stream& stream) const;

 private:
  void sum_assignments(const float* a) const;

  VladShape shape_;
  dnnl::memory a_transposed_, a_, x_, v_, dv_, dv_transposed_, da_, dx_;
  dnnl_call::Call aggregate_, descriptor_grad_, assignment_grad_;
  mutable std::vector<float> sums_;  // s[b, k], or in backward (dv c)[b, k]; sized once
};

}  // namespace ynet::ops::vlad::cpu
