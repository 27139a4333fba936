#pragma once
// The per-class mixing of the video-level MoE classifier (mixture.h) on the GPU, one thread per
// (video, class), in double.
#include <cuda_runtime_api.h>

#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier::cuda {

// gates [B, C(M+1)]: logits in, softmax per class out (in place); experts [B, CM]: logits in,
// sigmoid out (in place); p [B, C].
void mix(const ClassifierShape& shape, float* gates, float* experts, float* p, cudaStream_t stream);
// dp [B, C] -> d gate logits [B, C(M+1)] and d expert logits [B, CM], from mix's outputs.
void unmix(const ClassifierShape& shape, const float* gates, const float* experts, const float* dp,
           float* d_gate_logits, float* d_expert_logits, cudaStream_t stream);

}  // namespace ynet::ops::moe_classifier::cuda
