#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/vlad/cuda_kernels.h"

namespace ynet::ops::vlad::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

struct Dims {
  int64_t batch, rows, clusters, features;
};

Dims dims_of(const VladShape& s) {
  return {static_cast<int64_t>(s.batch), static_cast<int64_t>(s.rows), static_cast<int64_t>(s.clusters),
          static_cast<int64_t>(s.features)};
}

__global__ void sums_kernel(Dims d, const float* a, float* sums) {
  for (int64_t i = global_index(); i < d.batch * d.clusters; i += global_stride()) {
    const int64_t b = i / d.clusters, k = i % d.clusters;
    float sum = 0.f;
    for (int64_t r = 0; r < d.rows; ++r) sum += a[(b * d.rows + r) * d.clusters + k];
    sums[i] = sum;
  }
}

__global__ void subtract_kernel(Dims d, const float* sums, const float* centres, float* v) {
  for (int64_t i = global_index(); i < d.batch * d.clusters * d.features; i += global_stride()) {
    const int64_t bk = i / d.features, k = bk % d.clusters, f = i % d.features;
    v[i] -= sums[bk] * centres[k * d.features + f];
  }
}

__global__ void centre_grad_kernel(Dims d, const float* sums, const float* dv, float* dc) {
  for (int64_t i = global_index(); i < d.clusters * d.features; i += global_stride()) {
    const int64_t k = i / d.features, f = i % d.features;
    float sum = 0.f;
    for (int64_t b = 0; b < d.batch; ++b) sum -= sums[b * d.clusters + k] * dv[(b * d.clusters + k) * d.features + f];
    dc[i] = sum;
  }
}

__global__ void projection_kernel(Dims d, const float* centres, const float* dv, float* projection) {
  for (int64_t i = global_index(); i < d.batch * d.clusters; i += global_stride()) {
    const int64_t k = i % d.clusters;
    float sum = 0.f;
    for (int64_t f = 0; f < d.features; ++f) sum += dv[i * d.features + f] * centres[k * d.features + f];
    projection[i] = sum;
  }
}

__global__ void subtract_projection_kernel(Dims d, const float* projection, float* da) {
  for (int64_t i = global_index(); i < d.batch * d.rows * d.clusters; i += global_stride()) {
    const int64_t b = i / (d.rows * d.clusters), k = i % d.clusters;
    da[i] -= projection[b * d.clusters + k];
  }
}

}  // namespace

void sum_assignments(const VladShape& shape, const float* a, float* sums, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  sums_kernel<<<grid_for(d.batch * d.clusters), kThreads, 0, stream>>>(d, a, sums);
  YNET_CUDA_CHECK_LAUNCH("vlad assignment sums");
}

void subtract_centres(const VladShape& shape, const float* sums, const float* centres, float* v, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  subtract_kernel<<<grid_for(d.batch * d.clusters * d.features), kThreads, 0, stream>>>(d, sums, centres, v);
  YNET_CUDA_CHECK_LAUNCH("vlad centres");
}

void centre_grad(const VladShape& shape, const float* sums, const float* dv, float* dcentres, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  centre_grad_kernel<<<grid_for(d.clusters * d.features), kThreads, 0, stream>>>(d, sums, dv, dcentres);
  YNET_CUDA_CHECK_LAUNCH("vlad centre gradient");
}

void subtract_centre_projection(const VladShape& shape, const float* centres, const float* dv, float* scratch,
                                float* da, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  projection_kernel<<<grid_for(d.batch * d.clusters), kThreads, 0, stream>>>(d, centres, dv, scratch);
  YNET_CUDA_CHECK_LAUNCH("vlad centre projection");
  subtract_projection_kernel<<<grid_for(d.batch * d.rows * d.clusters), kThreads, 0, stream>>>(d, scratch, da);
  YNET_CUDA_CHECK_LAUNCH("vlad assignment gradient");
}

}  // namespace ynet::ops::vlad::cuda
