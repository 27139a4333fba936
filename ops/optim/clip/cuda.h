#pragma once
// Gradient clipping on the GPU, as TensorFlow 1 does it (see clip.h): per-tensor squared norms in
// fixed chunks (ops/support/cuda/reduce.h), added per tensor in chunk order and then, for the
// global norm, tensor by tensor; then every tensor is scaled by its factor. A tensor within the
// limit, or whose norm is not finite, keeps its values bit for bit. The norms never leave the GPU.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/cuda/reduce.h"

namespace ynet::ops::optim::cuda {

// A gradient tensor as the scaling kernel sees it (the same chunks as its SquaresEntry).
struct ScaleEntry {
  float* data;
  int64_t count;
  int64_t first_chunk;
};

// squares: the tensors' chunks (count tensors, chunks in all); partials: chunks doubles; factors:
// count floats. global_norm (may be null) receives the global norm before clipping.
void clip(const runtime::cuda::SquaresEntry* squares, const ScaleEntry* scale, int count, int64_t chunks,
          double clip_norm, bool global, double* partials, float* factors, float* global_norm, cudaStream_t stream);

}  // namespace ynet::ops::optim::cuda
