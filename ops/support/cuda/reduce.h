#pragma once
// Reductions several ops share, in a fixed order (see kernel_support.cuh).
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/cuda/column_chunks.h"

namespace ynet::runtime::cuda {

// out[c] = sum over rows of x[r, c] (x is [rows, cols] row-major); partials holds
// chunks.partial_bytes(1) bytes, with chunks = ColumnChunks::of(rows, cols).
void column_sums(const ColumnChunks& chunks, const float* x, float* out, double* partials, cudaStream_t stream);

// One tensor of a list whose squared norms are summed in chunks of kSquaresChunk elements; the
// list lives in device memory. first_chunk numbers the tensor's chunks after its predecessors'.
struct SquaresEntry {
  const float* data;
  int64_t count;
  int64_t first_chunk;
};
constexpr int64_t kSquaresChunk = 16384;
inline int64_t squares_chunks(int64_t count) { return (count + kSquaresChunk - 1) / kSquaresChunk; }

// partials[k] = sum of squares of chunk k (chunks: the total over the list).
void chunk_squares(const SquaresEntry* entries, int count, int64_t chunks, double* partials, cudaStream_t stream);

}  // namespace ynet::runtime::cuda
