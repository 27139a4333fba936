#pragma once
// Helpers for the .cu files of the CUDA backend: launch sizes, grid-stride loops and block sums in
// a fixed order. A sum over a block adds the same values in the same order on every run, so a
// kernel's result is a function of its inputs alone: reruns and resumed runs reproduce it bit for bit.
#include <cuda_runtime.h>

#include <cstdint>

namespace ynet::runtime::cuda {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

// Blocks for a grid-stride loop over n items.
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > kMaxBlocks ? kMaxBlocks : blocks));
}

__device__ inline int64_t global_index() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t global_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

__device__ inline double warp_sum(double v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

// The sum of v over a one-dimensional block whose size is a multiple of 32; every thread gets it.
// Every thread of the block must call it.
__device__ inline double block_sum(double v) {
  __shared__ double partial[32];
  __shared__ double total;
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // an earlier call may still be reading `partial`
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    double w = lane < (blockDim.x >> 5) ? partial[lane] : 0.0;
    w = warp_sum(w);
    if (lane == 0) total = w;
  }
  __syncthreads();
  return total;
}

// Many tensors cut into fixed-size chunks, one block per chunk: entries[i].first_chunk is the first
// chunk of tensor i, ascending from entries[0].first_chunk == 0. Returns the index of the entry
// whose tensor holds `chunk`, by bisection.
template <class Entry>
__device__ inline int chunk_entry(const Entry* entries, int count, int64_t chunk) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (entries[mid].first_chunk <= chunk) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

}  // namespace ynet::runtime::cuda
