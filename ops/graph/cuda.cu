#include "ops/support/cuda/cuda_check.h"
#include "ops/graph/cuda.h"
#include "ops/support/cuda/kernel_support.cuh"

namespace ynet::runtime::cuda {
namespace {

__global__ void sum_scalars_kernel(const float* const* terms, int count, float* out) {
  double sum = 0.0;
  for (int k = 0; k < count; ++k) sum += *terms[k];
  *out = static_cast<float>(sum);
}

__global__ void fill_scalars_kernel(float* const* targets, int count, float value) {
  for (int k = threadIdx.x; k < count; k += blockDim.x) *targets[k] = value;
}

__global__ void add_kernel(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) out[i] = a[i] + b[i];
}

}  // namespace

void sum_scalars(const float* const* terms, int count, float* out, cudaStream_t stream) {
  sum_scalars_kernel<<<1, 1, 0, stream>>>(terms, count, out);
  YNET_CUDA_CHECK_LAUNCH("sum_scalars");
}

void fill_scalars(float* const* targets, int count, float value, cudaStream_t stream) {
  if (count == 0) return;
  fill_scalars_kernel<<<1, 32, 0, stream>>>(targets, count, value);
  YNET_CUDA_CHECK_LAUNCH("fill_scalars");
}

void add(const float* a, const float* b, float* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  add_kernel<<<grid_for(n), kThreads, 0, stream>>>(a, b, out, n);
  YNET_CUDA_CHECK_LAUNCH("add");
}

}  // namespace ynet::runtime::cuda
