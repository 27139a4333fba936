#pragma once
// The L2 weight-decay loss term (l2_penalty.h) on the GPU: the squared norms of the penalised
// weights in fixed chunks (ops/support/cuda/reduce.h) added in order, and the gradient
// l2 * dpenalty * w, with dpenalty read from device memory.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/cuda/reduce.h"

namespace ynet::ops::logistic::cuda {

// *penalty = l2 * (sum of squares) / 2; partials holds `chunks` doubles.
void penalty(const runtime::cuda::SquaresEntry* weights, int count, int64_t chunks, double l2, double* partials,
             float* penalty, cudaStream_t stream);

// A penalised weight and the gradient it receives.
struct GradientEntry {
  const float* weights;
  float* gradient;
  int64_t count;
  int64_t first_chunk;
};

// gradient = l2 * *dpenalty * weights for every entry (chunks of kSquaresChunk elements).
void penalty_gradient(const GradientEntry* entries, int count, int64_t chunks, double l2, const float* dpenalty,
                      cudaStream_t stream);

}  // namespace ynet::ops::logistic::cuda
