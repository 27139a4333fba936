#pragma once
// Per-column sums over the rows of a [rows, cols] matrix in a fixed order (see kernel_support.cuh):
// the rows are cut into `chunks` runs; block (column tile, chunk) sums its run for 32 adjacent
// columns (reads of a warp are contiguous), 8 row lanes at a time, and writes one partial sum per
// column; column_total adds a column's partials in chunk order. Several statistics of the same
// element can be summed in one pass.
#include "ops/support/cuda/column_chunks.h"
#include "ops/support/cuda/kernel_support.cuh"

namespace ynet::runtime::cuda {

constexpr int kColumnTile = 32;
constexpr int kRowLanes = 8;

inline dim3 column_grid(const ColumnChunks& c) {
  return dim3(static_cast<unsigned>((c.cols + kColumnTile - 1) / kColumnTile), static_cast<unsigned>(c.chunks));
}
inline dim3 column_block() { return dim3(kColumnTile, kRowLanes); }

// `values(row, col, acc)` adds the kStats statistics of element (row, col) to acc[0..kStats).
// partials: [kStats][chunks][cols].
template <int kStats, class Values>
__global__ void column_partials(ColumnChunks c, Values values, double* partials) {
  __shared__ double sums[kStats][kRowLanes][kColumnTile];
  const int64_t col = static_cast<int64_t>(blockIdx.x) * kColumnTile + threadIdx.x;
  const int64_t first = static_cast<int64_t>(blockIdx.y) * c.rows_per_chunk;
  const int64_t last = first + c.rows_per_chunk < c.rows ? first + c.rows_per_chunk : c.rows;
  double acc[kStats];
  for (int s = 0; s < kStats; ++s) acc[s] = 0.0;
  if (col < c.cols)
    for (int64_t r = first + threadIdx.y; r < last; r += kRowLanes) values(r, col, acc);
  for (int s = 0; s < kStats; ++s) sums[s][threadIdx.y][threadIdx.x] = acc[s];
  __syncthreads();
  if (threadIdx.y != 0 || col >= c.cols) return;
  for (int s = 0; s < kStats; ++s) {
    double total = 0.0;
    for (int lane = 0; lane < kRowLanes; ++lane) total += sums[s][lane][threadIdx.x];
    partials[(s * c.chunks + blockIdx.y) * c.cols + col] = total;
  }
}

__device__ inline double column_total(const double* partials, const ColumnChunks& c, int stat, int64_t col) {
  double total = 0.0;
  for (int64_t chunk = 0; chunk < c.chunks; ++chunk) total += partials[(stat * c.chunks + chunk) * c.cols + col];
  return total;
}

}  // namespace ynet::runtime::cuda
