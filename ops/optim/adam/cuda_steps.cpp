// Adam bound to the CUDA backend.
#include <cmath>

#include "ops/optim/adam/cuda.h"
#include "ops/optim/adam/operands.h"
#include "ops/optim/update/cuda.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::optim::adam {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Adam"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const AdamSettings s = settings_of(n);
    cuda::AdamCoefficients c;
    c.one_minus_beta1 = 1.f - static_cast<float>(s.beta1);
    c.one_minus_beta2 = 1.f - static_cast<float>(s.beta2);
    c.epsilon = static_cast<float>(s.epsilon);
    const cuda::UpdateTable t = cuda::update_table(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step([t, c, s, stream](const runtime::StepContext& ctx) mutable {
      // lr_t with t = step + 1, in double as adam.h does.
      const double step = static_cast<double>(ctx.step) + 1;
      c.learning_rate = static_cast<float>(ctx.learning_rate * std::sqrt(1.0 - std::pow(s.beta2, step)) /
                                           (1.0 - std::pow(s.beta1, step)));
      cuda::adam_update(t.entries.as<const cuda::UpdateEntry>(), t.count, t.chunks, c, stream);
    });
  };
}

}  // namespace ynet::ops::optim::adam
