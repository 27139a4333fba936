#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/logistic/cuda.h"

namespace ynet::ops::logistic::cuda {
namespace {

__global__ void finish_penalty(const double* partials, int64_t chunks, double l2, float* penalty) {
  double total = 0.0;
  for (int64_t k = 0; k < chunks; ++k) total += partials[k];
  *penalty = static_cast<float>(l2 * total / 2);
}

__global__ void gradient_kernel(const GradientEntry* entries, int count, double l2, const float* dpenalty) {
  const int64_t chunk = blockIdx.x;
  const int index = runtime::cuda::chunk_entry(entries, count, chunk);
  const GradientEntry e = entries[index];
  const auto scale = static_cast<float>(l2 * static_cast<double>(*dpenalty));
  const int64_t begin = (chunk - e.first_chunk) * runtime::cuda::kSquaresChunk;
  const int64_t end = begin + runtime::cuda::kSquaresChunk < e.count ? begin + runtime::cuda::kSquaresChunk : e.count;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) e.gradient[i] = scale * e.weights[i];
}

}  // namespace

void penalty(const runtime::cuda::SquaresEntry* weights, int count, int64_t chunks, double l2, double* partials,
             float* penalty, cudaStream_t stream) {
  runtime::cuda::chunk_squares(weights, count, chunks, partials, stream);
  finish_penalty<<<1, 1, 0, stream>>>(partials, chunks, l2, penalty);
  YNET_CUDA_CHECK_LAUNCH("l2 penalty");
}

void penalty_gradient(const GradientEntry* entries, int count, int64_t chunks, double l2, const float* dpenalty,
                      cudaStream_t stream) {
  if (count == 0 || chunks == 0) return;
  gradient_kernel<<<static_cast<unsigned>(chunks), runtime::cuda::kThreads, 0, stream>>>(entries, count, l2, dpenalty);
  YNET_CUDA_CHECK_LAUNCH("l2 penalty gradient");
}

}  // namespace ynet::ops::logistic::cuda
