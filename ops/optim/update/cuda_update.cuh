#pragma once
// The fused update kernel, instantiated by each optimizer's cuda.cu with its rule: a functor whose
// `__device__ void operator()(const UpdateEntry& e, int64_t i) const` updates element i of e.
#include <cuda_runtime_api.h>

#include "ops/optim/update/cuda_entry.h"
#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"

namespace ynet::ops::optim::cuda {

template <class Rule>
__global__ void update_kernel(const UpdateEntry* entries, int count, Rule rule) {
  const int64_t chunk = blockIdx.x;
  const int index = runtime::cuda::chunk_entry(entries, count, chunk);
  const UpdateEntry e = entries[index];
  const int64_t begin = (chunk - e.first_chunk) * kUpdateChunk;
  const int64_t end = begin + kUpdateChunk < e.count ? begin + kUpdateChunk : e.count;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) rule(e, i);
}

template <class Rule>
void launch_update(const UpdateEntry* entries, int count, int64_t chunks, const Rule& rule, cudaStream_t stream) {
  if (count == 0 || chunks == 0) return;
  update_kernel<<<static_cast<unsigned>(chunks), runtime::cuda::kThreads, 0, stream>>>(entries, count, rule);
  YNET_CUDA_CHECK_LAUNCH("optimizer update");
}

}  // namespace ynet::ops::optim::cuda
