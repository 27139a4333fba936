#pragma once
// The fused parameter update on the GPU: one kernel over every trainable parameter, each block
// updating one chunk of one tensor (found by bisection in a table built at bind time). The update
// rules and their arithmetic in float are those of rmsprop.h, adam.h and sgd.h.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace ynet::ops::optim::cuda {

// One parameter tensor: its values, gradient and up to two optimizer slots, and its first chunk.
struct UpdateEntry {
  float* param;
  const float* grad;
  float* slot0;  // RMSProp: mean square; Adam: first moment; SGD: accumulation (null without momentum)
  float* slot1;  // RMSProp: momentum (null without); Adam: second moment
  int64_t count;
  int64_t first_chunk;
};
constexpr int64_t kUpdateChunk = 8192;
inline int64_t update_chunks(int64_t count) { return (count + kUpdateChunk - 1) / kUpdateChunk; }

enum class Rule { rmsprop, adam, sgd };

// The coefficients of one step, in float as the host updates use them.
struct UpdateCoefficients {
  Rule rule = Rule::sgd;
  float learning_rate = 0;  // Adam: lr_t with the bias corrections folded in
  float one_minus_decay = 0;  // RMSProp
  float momentum = 0;       // RMSProp, SGD
  bool nesterov = false;    // SGD
  float epsilon = 0;        // RMSProp, Adam
  float one_minus_beta1 = 0, one_minus_beta2 = 0;  // Adam
};

void update(const UpdateEntry* entries, int count, int64_t chunks, const UpdateCoefficients& c, cudaStream_t stream);

}  // namespace ynet::ops::optim::cuda
