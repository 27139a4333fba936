#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/activation/cuda.h"
#include "ops/activation/cuda_activation.cuh"

namespace ynet::ops::activation::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

__global__ void forward_kernel(ActivationKind kind, const float* x, float* y, int64_t count) {
  for (int64_t i = global_index(); i < count; i += global_stride()) y[i] = apply(kind, x[i]);
}

__global__ void backward_kernel(ActivationKind kind, const float* y, const float* dy, float* dx, int64_t count) {
  for (int64_t i = global_index(); i < count; i += global_stride()) dx[i] = dy[i] * derivative_from_output(kind, y[i]);
}

}  // namespace

void forward(ActivationKind kind, const float* x, float* y, int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  forward_kernel<<<grid_for(count), kThreads, 0, stream>>>(kind, x, y, count);
  YNET_CUDA_CHECK_LAUNCH("activation forward");
}

void backward(ActivationKind kind, const float* y, const float* dy, float* dx, int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  backward_kernel<<<grid_for(count), kThreads, 0, stream>>>(kind, y, dy, dx, count);
  YNET_CUDA_CHECK_LAUNCH("activation backward");
}

}  // namespace ynet::ops::activation::cuda
