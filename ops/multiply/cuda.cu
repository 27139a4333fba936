#include "ops/multiply/cuda.h"
#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"

namespace ynet::ops::multiply::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;

__global__ void forward_kernel(int64_t elements, int64_t run, const float* a, const float* b, float* y) {
  for (int64_t i = global_index(); i < elements; i += global_stride()) y[i] = a[i] * b[i / run];
}

__global__ void backward_kernel(int64_t scales, int64_t run, const float* a, const float* b, const float* dy,
                                float* da, float* db) {
  for (int64_t j = global_index(); j < scales; j += global_stride()) {
    float sum = 0.f;
    for (int64_t i = j * run; i < (j + 1) * run; ++i) {
      if (da != nullptr) da[i] = dy[i] * b[j];
      sum += dy[i] * a[i];
    }
    if (db != nullptr) db[j] = sum;
  }
}

}  // namespace

void forward(const MultiplyShape& shape, const float* a, const float* b, float* y, cudaStream_t stream) {
  const auto elements = static_cast<int64_t>(shape.elements);
  if (elements == 0) return;
  forward_kernel<<<grid_for(elements), runtime::cuda::kThreads, 0, stream>>>(elements, static_cast<int64_t>(shape.run),
                                                                             a, b, y);
  YNET_CUDA_CHECK_LAUNCH("multiply forward");
}

void backward(const MultiplyShape& shape, const float* a, const float* b, const float* dy, float* da, float* db,
              cudaStream_t stream) {
  const auto scales = static_cast<int64_t>(shape.elements / shape.run);
  if (scales == 0) return;
  backward_kernel<<<grid_for(scales), runtime::cuda::kThreads, 0, stream>>>(scales, static_cast<int64_t>(shape.run), a,
                                                                            b, dy, da, db);
  YNET_CUDA_CHECK_LAUNCH("multiply backward");
}

}  // namespace ynet::ops::multiply::cuda
