#pragma once
// The training losses on the GPU: sigmoid cross-entropy on logits (math as in reference.h) and the
// starter code's cross-entropy on probabilities (moe_classifier/probability_loss.h). One block per
// video sums its classes in double, then the videos are added in order; the backward steps read
// the gradient reaching the loss from device memory.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "ops/sigmoid_cross_entropy/reference.h"

namespace ynet::ops::sigmoid_cross_entropy::cuda {

enum class Input { logits, probabilities };

// Device scratch of a forward call: one double per video.
inline size_t workspace_bytes(const CrossEntropyShape& shape) { return shape.batch * sizeof(double); }

// positive_weights may be null (all 1). *loss is written on the device.
void forward(const CrossEntropyShape& shape, Input input, double epsilon, const float* values, const float* labels,
             const float* positive_weights, float* loss, void* workspace, cudaStream_t stream);
// dvalues = *dloss * d loss / d values.
void backward(const CrossEntropyShape& shape, Input input, double epsilon, const float* values, const float* labels,
              const float* positive_weights, const float* dloss, float* dvalues, cudaStream_t stream);

}  // namespace ynet::ops::sigmoid_cross_entropy::cuda
