// SGD bound to the CUDA backend.
#include "ops/optim/sgd/cuda.h"
#include "ops/optim/sgd/operands.h"
#include "ops/optim/update/cuda.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::optim::sgd {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["SGD"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const SgdSettings s = settings_of(n);
    cuda::SgdCoefficients c;
    c.momentum = static_cast<float>(s.momentum);
    c.nesterov = s.nesterov;
    const cuda::UpdateTable t = cuda::update_table(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([t, c, stream](const runtime::StepContext& ctx) mutable {
      c.learning_rate = static_cast<float>(ctx.learning_rate);
      cuda::sgd_update(t.entries.as<const cuda::UpdateEntry>(), t.count, t.chunks, c, stream);
    });
  };
}

}  // namespace ynet::ops::optim::sgd
