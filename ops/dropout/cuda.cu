#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/dropout/cuda.h"

namespace ynet::ops::dropout::cuda {
namespace {

__global__ void mask_kernel(philox::MaskKey key, uint32_t threshold, float scale, const float* in, float* out,
                            int64_t count) {
  const int64_t groups = (count + 3) / 4;
  for (int64_t group = runtime::cuda::global_index(); group < groups; group += runtime::cuda::global_stride()) {
    const philox::Block bits = philox::mask_block(key, static_cast<uint64_t>(group));
    for (int lane = 0; lane < 4; ++lane) {
      const int64_t i = group * 4 + lane;
      if (i < count) out[i] = bits.word[lane] >= threshold ? in[i] * scale : 0.f;
    }
  }
}

}  // namespace

void apply_mask(const philox::MaskKey& key, uint32_t threshold, float scale, const float* in, float* out,
                int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  mask_kernel<<<runtime::cuda::grid_for((count + 3) / 4), runtime::cuda::kThreads, 0, stream>>>(key, threshold, scale,
                                                                                              in, out, count);
  YNET_CUDA_CHECK_LAUNCH("dropout mask");
}

}  // namespace ynet::ops::dropout::cuda
