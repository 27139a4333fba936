#include "ops/support/cuda/column_reduce.cuh"
#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/reduce.h"

namespace ynet::runtime::cuda {
namespace {

struct Element {
  const float* x;
  int64_t cols;
  __device__ void operator()(int64_t r, int64_t c, double* acc) const { acc[0] += x[r * cols + c]; }
};

__global__ void finish_column_sums(ColumnChunks c, const double* partials, float* out) {
  for (int64_t col = global_index(); col < c.cols; col += global_stride())
    out[col] = static_cast<float>(column_total(partials, c, 0, col));
}

// One block per chunk (chunk_entry finds the chunk's tensor).
__global__ void squares_of_chunks(const SquaresEntry* entries, int count, double* partials) {
  const int64_t chunk = blockIdx.x;
  const int index = chunk_entry(entries, count, chunk);
  const SquaresEntry e = entries[index];
  const int64_t begin = (chunk - e.first_chunk) * kSquaresChunk;
  const int64_t end = begin + kSquaresChunk < e.count ? begin + kSquaresChunk : e.count;
  double sum = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    const double v = e.data[i];
    sum += v * v;
  }
  sum = block_sum(sum);
  if (threadIdx.x == 0) partials[chunk] = sum;
}

}  // namespace

void column_sums(const ColumnChunks& chunks, const float* x, float* out, double* partials, cudaStream_t stream) {
  column_partials<1><<<column_grid(chunks), column_block(), 0, stream>>>(chunks, Element{x, chunks.cols}, partials);
  YNET_CUDA_CHECK_LAUNCH("column_partials");
  finish_column_sums<<<grid_for(chunks.cols), kThreads, 0, stream>>>(chunks, partials, out);
  YNET_CUDA_CHECK_LAUNCH("finish_column_sums");
}

void chunk_squares(const SquaresEntry* entries, int count, int64_t chunks, double* partials, cudaStream_t stream) {
  if (chunks == 0) return;
  squares_of_chunks<<<static_cast<unsigned>(chunks), kThreads, 0, stream>>>(entries, count, partials);
  YNET_CUDA_CHECK_LAUNCH("squares_of_chunks");
}

}  // namespace ynet::runtime::cuda
