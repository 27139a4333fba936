#pragma once
// VLAD aggregation on the GPU (math in reference.h): the three products are strided batched
// cuBLAS products, one matrix per video (v = a^T x, dx = a dv, da = x dv^T, transposes by operand
// flags, never copies); the O(B K F) centre terms are our kernels, each value summed by one thread
// in a fixed order.
#include "ops/support/cuda/device_buffers.h"
#include "ops/vlad/cuda_kernels.h"
#include "ops/vlad/reference.h"

namespace ynet::ops::vlad::cuda {

class Kernel {
 public:
  Kernel(const VladShape& shape, runtime::cuda::DeviceBuffers& buffers);
  // centres may be null (NetRVLAD).
  void forward(const float* a, const float* x, const float* centres, float* v) const;
  // da, dx and dcentres may each be null.
  void backward(const float* a, const float* x, const float* centres, const float* dv, float* da, float* dx,
                float* dcentres) const;

 private:
  VladShape shape_;
  runtime::cuda::DeviceContext* context_;
  runtime::cuda::Scratch sums_;  // [B, K]
};

}  // namespace ynet::ops::vlad::cuda
