#include "ops/optim/adam/cuda.h"
#include "ops/optim/update/cuda_update.cuh"

namespace ynet::ops::optim::cuda {
namespace {

struct AdamRule {
  AdamCoefficients c;
  __device__ void operator()(const UpdateEntry& e, int64_t i) const {
    const float g = e.grad[i];
    float& m = e.slot0[i];
    float& v = e.slot1[i];
    m += (g - m) * c.one_minus_beta1;
    v += (g * g - v) * c.one_minus_beta2;
    e.param[i] -= (m * c.learning_rate) / (sqrtf(v) + c.epsilon);
  }
};

}  // namespace

void adam_update(const UpdateEntry* entries, int count, int64_t chunks, const AdamCoefficients& c, cudaStream_t stream) {
  launch_update(entries, count, chunks, AdamRule{c}, stream);
}

}  // namespace ynet::ops::optim::cuda
