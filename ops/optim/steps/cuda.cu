#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/optim/steps/cuda.h"

namespace ynet::ops::optim::cuda {
namespace {

__device__ inline void update_one(const UpdateEntry& e, int64_t i, const UpdateCoefficients& c) {
  const float g = e.grad[i];
  switch (c.rule) {
    case Rule::rmsprop: {
      float& ms = e.slot0[i];
      ms += (g * g - ms) * c.one_minus_decay;
      const float step = (g * c.learning_rate) / sqrtf(ms + c.epsilon);
      if (e.slot1 != nullptr) {
        e.slot1[i] = e.slot1[i] * c.momentum + step;
        e.param[i] -= e.slot1[i];
      } else {
        e.param[i] -= step;
      }
      return;
    }
    case Rule::adam: {
      float& m = e.slot0[i];
      float& v = e.slot1[i];
      m += (g - m) * c.one_minus_beta1;
      v += (g * g - v) * c.one_minus_beta2;
      e.param[i] -= (m * c.learning_rate) / (sqrtf(v) + c.epsilon);
      return;
    }
    case Rule::sgd: {
      if (e.slot0 == nullptr) {
        e.param[i] -= g * c.learning_rate;
        return;
      }
      e.slot0[i] = e.slot0[i] * c.momentum + g;
      e.param[i] -= c.nesterov ? g * c.learning_rate + e.slot0[i] * c.momentum * c.learning_rate
                               : e.slot0[i] * c.learning_rate;
      return;
    }
  }
}

__global__ void update_kernel(const UpdateEntry* entries, int count, UpdateCoefficients c) {
  const int64_t chunk = blockIdx.x;
  const int index = runtime::cuda::chunk_entry(entries, count, chunk);
  const UpdateEntry e = entries[index];
  const int64_t begin = (chunk - e.first_chunk) * kUpdateChunk;
  const int64_t end = begin + kUpdateChunk < e.count ? begin + kUpdateChunk : e.count;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) update_one(e, i, c);
}

}  // namespace

void update(const UpdateEntry* entries, int count, int64_t chunks, const UpdateCoefficients& c, cudaStream_t stream) {
  if (count == 0 || chunks == 0) return;
  update_kernel<<<static_cast<unsigned>(chunks), runtime::cuda::kThreads, 0, stream>>>(entries, count, c);
  YNET_CUDA_CHECK_LAUNCH("optimizer update");
}

}  // namespace ynet::ops::optim::cuda
