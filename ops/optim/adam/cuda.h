#pragma once
// Adam's rule in the fused GPU update (ops/optim/update/cuda_entry.h): slot0 the first moment,
// slot1 the second; arithmetic in float as adam_step<float>, the bias corrections folded into the
// learning rate on the host, in double.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/optim/update/cuda_entry.h"

namespace ynet::ops::optim::cuda {

struct AdamCoefficients {
  float learning_rate = 0;  // lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
  float one_minus_beta1 = 0, one_minus_beta2 = 0;
  float epsilon = 0;
};

void adam_update(const UpdateEntry* entries, int count, int64_t chunks, const AdamCoefficients& c, cudaStream_t stream);

}  // namespace ynet::ops::optim::cuda
