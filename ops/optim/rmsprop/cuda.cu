#include "ops/optim/rmsprop/cuda.h"
#include "ops/optim/update/cuda_update.cuh"

namespace ynet::ops::optim::cuda {
namespace {

struct RmsPropRule {
  RmsPropCoefficients c;
  __device__ void operator()(const UpdateEntry& e, int64_t i) const {
    const float g = e.grad[i];
    float& ms = e.slot0[i];
    ms += (g * g - ms) * c.one_minus_decay;
    const float step = (g * c.learning_rate) / sqrtf(ms + c.epsilon);
    if (e.slot1 != nullptr) {
      e.slot1[i] = e.slot1[i] * c.momentum + step;
      e.param[i] -= e.slot1[i];
    } else {
      e.param[i] -= step;
    }
  }
};

}  // namespace

void rmsprop_update(const UpdateEntry* entries, int count, int64_t chunks, const RmsPropCoefficients& c,
                    cudaStream_t stream) {
  launch_update(entries, count, chunks, RmsPropRule{c}, stream);
}

}  // namespace ynet::ops::optim::cuda
