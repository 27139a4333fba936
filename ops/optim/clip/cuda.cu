#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/optim/clip/cuda.h"

namespace ynet::ops::optim::cuda {
namespace {

__device__ inline double factor_for(double norm, double clip_norm) {
  return norm > clip_norm && isfinite(norm) ? clip_norm / norm : 1.0;
}

// One thread: the tensors' norms from their chunk sums, in order, and each tensor's factor.
__global__ void factors_kernel(const runtime::cuda::SquaresEntry* squares, int count, const double* partials,
                               double clip_norm, bool global, float* factors, float* global_norm) {
  double total = 0.0;
  for (int t = 0; t < count; ++t) {
    const int64_t chunks = (squares[t].count + runtime::cuda::kSquaresChunk - 1) / runtime::cuda::kSquaresChunk;
    double sum = 0.0;
    for (int64_t k = 0; k < chunks; ++k) sum += partials[squares[t].first_chunk + k];
    total += sum;
    factors[t] = static_cast<float>(factor_for(sqrt(sum), clip_norm));
  }
  if (!global) return;
  const double norm = sqrt(total);
  const auto factor = static_cast<float>(factor_for(norm, clip_norm));
  for (int t = 0; t < count; ++t) factors[t] = factor;
  if (global_norm) *global_norm = static_cast<float>(norm);
}

// One block per chunk, as in the norms.
__global__ void scale_kernel(const ScaleEntry* entries, int count, const float* factors) {
  const int64_t chunk = blockIdx.x;
  const int index = runtime::cuda::chunk_entry(entries, count, chunk);
  const float factor = factors[index];
  if (factor == 1.f) return;
  const ScaleEntry e = entries[index];
  const int64_t begin = (chunk - e.first_chunk) * runtime::cuda::kSquaresChunk;
  const int64_t end = begin + runtime::cuda::kSquaresChunk < e.count ? begin + runtime::cuda::kSquaresChunk : e.count;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) e.data[i] *= factor;
}

}  // namespace

void clip(const runtime::cuda::SquaresEntry* squares, const ScaleEntry* scale, int count, int64_t chunks,
          double clip_norm, bool global, double* partials, float* factors, float* global_norm, cudaStream_t stream) {
  if (count == 0 || chunks == 0) return;
  runtime::cuda::chunk_squares(squares, count, chunks, partials, stream);
  factors_kernel<<<1, 1, 0, stream>>>(squares, count, partials, clip_norm, global, factors, global_norm);
  YNET_CUDA_CHECK_LAUNCH("clip factors");
  scale_kernel<<<static_cast<unsigned>(chunks), runtime::cuda::kThreads, 0, stream>>>(scale, count, factors);
  YNET_CUDA_CHECK_LAUNCH("clip scale");
}

}  // namespace ynet::ops::optim::cuda
