#pragma once
// Batch normalisation on the GPU (math as in reference.h: statistics over the rows that count, every
// row without lengths, the valid frames with them, padded frames getting y = 0 and dx = 0; biased
// variance for normalising, unbiased for the moving variance). Column sums run in double in a fixed
// order (ops/support/cuda/column_reduce.cuh): the mean first, then the centred squares, as the
// reference computes them. Absent gamma reads as ones and absent beta as zeros (null pointers); null
// gradients are not written; null lengths count every row.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "ops/batch_norm/reference.h"

namespace ynet::ops::batch_norm::cuda {

// Device scratch that one call of the functions below needs.
size_t workspace_bytes(const BatchNormShape& shape);

// Writes y and the batch statistics, then moves the moving statistics towards them.
void forward_training(const BatchNormShape& shape, double epsilon, double decay, const float* x, const float* gamma,
                      const float* beta, const int32_t* lengths, float* y, float* batch_mean, float* batch_variance,
                      float* moving_mean, float* moving_variance, void* workspace, cudaStream_t stream);

void forward_inference(const BatchNormShape& shape, double epsilon, const float* x, const float* gamma,
                       const float* beta, const float* moving_mean, const float* moving_variance, float* y,
                       void* workspace, cudaStream_t stream);

// Gradients of a training-mode forward pass; dx may be null (an input that needs no gradient).
void backward(const BatchNormShape& shape, double epsilon, const float* x, const float* gamma,
              const int32_t* lengths, const float* batch_mean, const float* batch_variance, const float* dy,
              float* dx, float* dgamma, float* dbeta, void* workspace, cudaStream_t stream);

// FoldBatchNorm: W'[i,j] = W[i,j] s_j and b'_j = (b_j - mean_j) s_j + beta_j with
// s_j = gamma_j / sqrt(var_j + eps); W is [inputs, outputs]. bias, gamma and beta may be null.
// Without W (inputs 0) w_folded receives s itself: [outputs] floats.
void fold(int64_t inputs, int64_t outputs, double epsilon, const float* w, const float* bias, const float* gamma,
          const float* beta, const float* mean, const float* variance, float* w_folded, float* b_folded,
          void* workspace, cudaStream_t stream);
size_t fold_workspace_bytes(int64_t outputs);

}  // namespace ynet::ops::batch_norm::cuda
