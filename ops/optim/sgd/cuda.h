#pragma once
// SGD's rule in the fused GPU update (ops/optim/update/cuda_entry.h): slot0 the accumulation (null
// without momentum); arithmetic in float as sgd_step<float>.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/optim/update/cuda_entry.h"

namespace ynet::ops::optim::cuda {

struct SgdCoefficients {
  float learning_rate = 0;
  float momentum = 0;
  bool nesterov = false;
};

void sgd_update(const UpdateEntry* entries, int count, int64_t chunks, const SgdCoefficients& c, cudaStream_t stream);

}  // namespace ynet::ops::optim::cuda
