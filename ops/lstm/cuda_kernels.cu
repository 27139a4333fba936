#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/lstm/cuda_kernels.h"

namespace ynet::ops::lstm::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

constexpr int kTile = 32;

__device__ inline bool valid(const int32_t* lengths, int64_t b, int64_t t) { return !lengths || t < lengths[b]; }

__device__ inline float keep_at(const Keep& k, int64_t e) {
  if (!k.active) return 1.f;
  const auto element = static_cast<uint64_t>(k.offset + e);
  const dropout::philox::Block block = dropout::philox::mask_block(k.key, element / 4);
  return block.word[element % 4] >= k.threshold ? k.scale : 0.f;
}

__global__ void sequence_lengths_kernel(const int32_t* lengths, int64_t batch, int64_t time, int32_t* seq) {
  for (int64_t b = global_index(); b < batch; b += global_stride()) {
    const int64_t length = lengths ? lengths[b] : time;
    seq[b] = static_cast<int32_t>(length < 1 ? 1 : (length > time ? time : length));
  }
}

__global__ void layer_output_kernel(SequenceDims d, Keep keep, const int32_t* lengths, const float* a, const float* u,
                                    float* next) {
  for (int64_t k = global_index(); k < d.batch * d.time * d.hidden; k += global_stride()) {
    const int64_t row = k / d.hidden;
    float r = 0.f;
    if (valid(lengths, row / d.time, row % d.time)) {
      r = a[k] * keep_at(keep, k);
      if (u) r += u[k];
    }
    next[k] = r;
  }
}

__global__ void output_gradient_kernel(SequenceDims d, Keep keep, const int32_t* lengths, const float* g, float* da) {
  for (int64_t k = global_index(); k < d.batch * d.time * d.hidden; k += global_stride()) {
    const int64_t row = k / d.hidden;
    da[k] = valid(lengths, row / d.time, row % d.time) ? g[k] * keep_at(keep, k) : 0.f;
  }
}

__global__ void input_gradient_kernel(SequenceDims d, int64_t width, const int32_t* lengths, const float* g,
                                      bool residual, float* du) {
  for (int64_t k = global_index(); k < d.batch * d.time * width; k += global_stride()) {
    const int64_t row = k / width;
    du[k] = valid(lengths, row / d.time, row % d.time) ? du[k] + (residual ? g[k] : 0.f) : 0.f;
  }
}

// 32x32 tiles through shared memory, so that both the reads and the writes are coalesced.
__global__ void transpose_kernel(const float* src, int64_t rows, int64_t cols, int64_t src_ld, float* dst,
                                 int64_t dst_ld) {
  __shared__ float tile[kTile][kTile + 1];
  const int64_t row0 = static_cast<int64_t>(blockIdx.y) * kTile, col0 = static_cast<int64_t>(blockIdx.x) * kTile;
  for (int y = threadIdx.y; y < kTile; y += blockDim.y) {
    const int64_t r = row0 + y, c = col0 + threadIdx.x;
    if (r < rows && c < cols) tile[y][threadIdx.x] = src[r * src_ld + c];
  }
  __syncthreads();
  for (int y = threadIdx.y; y < kTile; y += blockDim.y) {
    const int64_t c = col0 + y, r = row0 + threadIdx.x;
    if (r < rows && c < cols) dst[c * dst_ld + r] = tile[threadIdx.x][y];
  }
}

__global__ void bias_to_gates_kernel(const float* b, int64_t hidden, float forget_bias, GateVectors gates) {
  for (int64_t k = global_index(); k < 4 * hidden; k += global_stride()) {
    const int64_t gate = k / hidden;
    gates.gate[gate][k % hidden] = b[k] + (gate == 1 ? forget_bias : 0.f);
  }
}

__global__ void bias_from_gates_kernel(GateVectors gates, int64_t hidden, float* db) {
  for (int64_t k = global_index(); k < 4 * hidden; k += global_stride()) db[k] = gates.gate[k / hidden][k % hidden];
}

}  // namespace

void sequence_lengths(const int32_t* lengths, int64_t batch, int64_t time, int32_t* seq, cudaStream_t stream) {
  sequence_lengths_kernel<<<grid_for(batch), kThreads, 0, stream>>>(lengths, batch, time, seq);
  YNET_CUDA_CHECK_LAUNCH("lstm sequence_lengths");
}

void layer_output(const SequenceDims& d, const Keep& keep, const int32_t* lengths, const float* a, const float* u,
                  float* next, cudaStream_t stream) {
  layer_output_kernel<<<grid_for(d.batch * d.time * d.hidden), kThreads, 0, stream>>>(d, keep, lengths, a, u, next);
  YNET_CUDA_CHECK_LAUNCH("lstm layer_output");
}

void output_gradient(const SequenceDims& d, const Keep& keep, const int32_t* lengths, const float* g, float* da,
                     cudaStream_t stream) {
  output_gradient_kernel<<<grid_for(d.batch * d.time * d.hidden), kThreads, 0, stream>>>(d, keep, lengths, g, da);
  YNET_CUDA_CHECK_LAUNCH("lstm output_gradient");
}

void input_gradient(const SequenceDims& d, int64_t width, const int32_t* lengths, const float* g, bool residual,
                    float* du, cudaStream_t stream) {
  input_gradient_kernel<<<grid_for(d.batch * d.time * width), kThreads, 0, stream>>>(d, width, lengths, g, residual,
                                                                                      du);
  YNET_CUDA_CHECK_LAUNCH("lstm input_gradient");
}

void transpose(const float* src, int64_t rows, int64_t cols, int64_t src_ld, float* dst, int64_t dst_ld,
               cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>((cols + kTile - 1) / kTile), static_cast<unsigned>((rows + kTile - 1) / kTile));
  transpose_kernel<<<grid, dim3(kTile, 8), 0, stream>>>(src, rows, cols, src_ld, dst, dst_ld);
  YNET_CUDA_CHECK_LAUNCH("lstm transpose");
}

void bias_to_gates(const float* b, int64_t hidden, float forget_bias, GateVectors gates, cudaStream_t stream) {
  bias_to_gates_kernel<<<grid_for(4 * hidden), kThreads, 0, stream>>>(b, hidden, forget_bias, gates);
  YNET_CUDA_CHECK_LAUNCH("lstm bias_to_gates");
}

void bias_from_gates(GateVectors gates, int64_t hidden, float* db, cudaStream_t stream) {
  bias_from_gates_kernel<<<grid_for(4 * hidden), kThreads, 0, stream>>>(gates, hidden, db);
  YNET_CUDA_CHECK_LAUNCH("lstm bias_from_gates");
}

}  // namespace ynet::ops::lstm::cuda
