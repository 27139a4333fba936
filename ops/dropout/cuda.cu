#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/dropout/cuda.h"

namespace ynet::ops::dropout::cuda {
namespace {

// Thread t handles Philox block first_group + t: the elements of the slice among its four.
__global__ void mask_kernel(philox::MaskKey key, uint64_t first_element, uint32_t threshold, float scale,
                            const float* in, float* out, int64_t count) {
  const auto first_group = static_cast<int64_t>(first_element / 4);
  const int64_t groups = static_cast<int64_t>((first_element + static_cast<uint64_t>(count) + 3) / 4) - first_group;
  for (int64_t group = runtime::cuda::global_index(); group < groups; group += runtime::cuda::global_stride()) {
    const philox::Block bits = philox::mask_block(key, static_cast<uint64_t>(first_group + group));
    for (int lane = 0; lane < 4; ++lane) {
      const int64_t i = (first_group + group) * 4 + lane - static_cast<int64_t>(first_element);
      if (i >= 0 && i < count) out[i] = bits.word[lane] >= threshold ? in[i] * scale : 0.f;
    }
  }
}

}  // namespace

void apply_mask(const philox::MaskKey& key, uint64_t first_element, uint32_t threshold, float scale, const float* in,
                float* out, int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  mask_kernel<<<runtime::cuda::grid_for((count + 3) / 4 + 1), runtime::cuda::kThreads, 0, stream>>>(
      key, first_element, threshold, scale, in, out, count);
  YNET_CUDA_CHECK_LAUNCH("dropout mask");
}

}  // namespace ynet::ops::dropout::cuda
