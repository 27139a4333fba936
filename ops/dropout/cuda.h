#pragma once
// Inverted dropout on the GPU with the mask of philox.h: thread t handles the 4 elements of Philox
// block t, so the GPU drops exactly the units the CPU and the reference drop for the same key.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::dropout::cuda {

// out = in * keep / (1 - rate); threshold = philox::drop_threshold(rate). in and out may alias.
// Element e of in is element first_element + e of the tensor the key draws for (the global batch's,
// for a process holding a slice of it).
void apply_mask(const philox::MaskKey& key, uint64_t first_element, uint32_t threshold, float scale, const float* in,
                float* out, int64_t count, cudaStream_t stream);

}  // namespace ynet::ops::dropout::cuda
