#pragma once
// Softmax on floats (math in reference.h). Forward: oneDNN's softmax primitive over the
// [runs, width] view of the tensor, created once; the padded frames of a sequence are then set to
// 0 (their values never reach a later step: backward gives 0 wherever y is 0). Backward: an OpenMP
// loop over runs, each run's <y, dy> summed by one thread in double. oneDNN 2.6 has no jitted
// softmax backward for AVX2 CPUs: its reference kernel took 333 ms where this loop takes 43 ms
// (NeXtVLAD's 384,000 runs of 128 on 2 Zen 3 cores).
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

 private:
  SoftmaxShape shape_;
  dnnl::memory x_, y_;
  dnnl_call::Call forward_;
};

// dx is fully written.
void backward(const SoftmaxShape& shape, const float* y, const float* dy, float* dx);

}  // namespace ynet::ops::softmax::cpu
