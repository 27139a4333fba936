// RMSProp bound to the CUDA backend.
#include "ops/optim/rmsprop/cuda.h"
#include "ops/optim/rmsprop/operands.h"
#include "ops/optim/update/cuda.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::optim::rmsprop {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["RMSProp"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const RmsPropSettings s = settings_of(n);
    cuda::RmsPropCoefficients c;
    c.one_minus_decay = 1.f - static_cast<float>(s.decay);
    c.momentum = static_cast<float>(s.momentum);
    c.epsilon = static_cast<float>(s.epsilon);
    const cuda::UpdateTable t = cuda::update_table(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([t, c, stream](const runtime::StepContext& ctx) mutable {
      c.learning_rate = static_cast<float>(ctx.learning_rate);
      cuda::rmsprop_update(t.entries.as<const cuda::UpdateEntry>(), t.count, t.chunks, c, stream);
    });
  };
}

}  // namespace ynet::ops::optim::rmsprop
