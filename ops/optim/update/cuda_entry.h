#pragma once
// The fused parameter update on the GPU: one kernel over every trainable parameter, each block
// updating one chunk of one tensor (chunk_entry finds it in a table built at bind time, cuda.h).
// Each optimizer supplies its rule (ops/optim/<name>/cuda.cu); the arithmetic in float is that of
// its host update.
#include <cstdint>

namespace ynet::ops::optim::cuda {

// One parameter tensor: its values, gradient and up to two optimizer slots, and its first chunk.
struct UpdateEntry {
  float* param;
  const float* grad;
  float* slot0;
  float* slot1;
  int64_t count;
  int64_t first_chunk;
};
constexpr int64_t kUpdateChunk = 8192;
inline int64_t update_chunks(int64_t count) { return (count + kUpdateChunk - 1) / kUpdateChunk; }

}  // namespace ynet::ops::optim::cuda
