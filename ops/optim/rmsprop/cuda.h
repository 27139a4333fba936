#pragma once
// RMSProp's rule in the fused GPU update (ops/optim/update/cuda_entry.h): slot0 the mean square,
// slot1 the momentum (null without); arithmetic in float as rmsprop_step<float>.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/optim/update/cuda_entry.h"

namespace ynet::ops::optim::cuda {

struct RmsPropCoefficients {
  float learning_rate = 0;
  float one_minus_decay = 0;
  float momentum = 0;
  float epsilon = 0;
};

void rmsprop_update(const UpdateEntry* entries, int count, int64_t chunks, const RmsPropCoefficients& c,
                    cudaStream_t stream);

}  // namespace ynet::ops::optim::cuda
