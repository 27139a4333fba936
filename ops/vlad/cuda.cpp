#include "ops/vlad/cuda.h"

#include <cuda_runtime_api.h>

#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/matmul.h"

namespace ynet::ops::vlad::cuda {

using runtime::cuda::BatchStrides;
using runtime::cuda::MatmulShape;

Kernel::Kernel(const VladShape& shape, runtime::cuda::DeviceBuffers& buffers)
    : shape_(shape), context_(&buffers.context()) {
  sums_ = buffers.transient({shape.batch * shape.clusters * sizeof(float)}).at(0);
}

void Kernel::forward(const float* a, const float* x, const float* centres, float* v) const {
  const auto b = static_cast<int64_t>(shape_.batch), r = static_cast<int64_t>(shape_.rows);
  const auto k = static_cast<int64_t>(shape_.clusters), f = static_cast<int64_t>(shape_.features);
  if (b * k * f == 0) return;
  if (r == 0) {
    YNET_CUDA_CHECK(cudaMemsetAsync(v, 0, static_cast<size_t>(b * k * f) * sizeof(float), context_->stream));
    return;
  }
  // v_b [K, F] = a_b^T [K, R] x_b [R, F]; a_b is stored [R, K].
  runtime::cuda::batched_gemm(*context_, MatmulShape{k, f, r, true, false}, BatchStrides{b, r * k, r * f, k * f}, a, x,
                              v);
  if (centres == nullptr) return;
  sum_assignments(shape_, a, sums_.as<float>(), context_->stream);
  subtract_centres(shape_, sums_.as<float>(), centres, v, context_->stream);
}

void Kernel::backward(const float* a, const float* x, const float* centres, const float* dv, float* da, float* dx,
                      float* dcentres) const {
  const auto b = static_cast<int64_t>(shape_.batch), r = static_cast<int64_t>(shape_.rows);
  const auto k = static_cast<int64_t>(shape_.clusters), f = static_cast<int64_t>(shape_.features);
  if (b * k * f == 0 || r == 0) {
    if (dcentres != nullptr)
      YNET_CUDA_CHECK(cudaMemsetAsync(dcentres, 0, static_cast<size_t>(k * f) * sizeof(float), context_->stream));
    return;
  }
  if (dcentres != nullptr) {
    sum_assignments(shape_, a, sums_.as<float>(), context_->stream);
    centre_grad(shape_, sums_.as<float>(), dv, dcentres, context_->stream);
  }
  // dx_b [R, F] = a_b [R, K] dv_b [K, F].
  if (dx != nullptr)
    runtime::cuda::batched_gemm(*context_, MatmulShape{r, f, k, false, false}, BatchStrides{b, r * k, k * f, r * f}, a,
                                dv, dx);
  if (da != nullptr) {
    // da_b [R, K] = x_b [R, F] dv_b^T [F, K]; dv_b is stored [K, F].
    runtime::cuda::batched_gemm(*context_, MatmulShape{r, k, f, false, true}, BatchStrides{b, r * f, k * f, r * k}, x,
                                dv, da);
    if (centres != nullptr) subtract_centre_projection(shape_, centres, dv, sums_.as<float>(), da, context_->stream);
  }
}

}  // namespace ynet::ops::vlad::cuda
