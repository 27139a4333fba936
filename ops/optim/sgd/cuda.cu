#include "ops/optim/sgd/cuda.h"
#include "ops/optim/update/cuda_update.cuh"

namespace ynet::ops::optim::cuda {
namespace {

struct SgdRule {
  SgdCoefficients c;
  __device__ void operator()(const UpdateEntry& e, int64_t i) const {
    const float g = e.grad[i];
    if (e.slot0 == nullptr) {
      e.param[i] -= g * c.learning_rate;
      return;
    }
    e.slot0[i] = e.slot0[i] * c.momentum + g;
    e.param[i] -= c.nesterov ? g * c.learning_rate + e.slot0[i] * c.momentum * c.learning_rate
                             : e.slot0[i] * c.learning_rate;
  }
};

}  // namespace

void sgd_update(const UpdateEntry* entries, int count, int64_t chunks, const SgdCoefficients& c, cudaStream_t stream) {
  launch_update(entries, count, chunks, SgdRule{c}, stream);
}

}  // namespace ynet::ops::optim::cuda
