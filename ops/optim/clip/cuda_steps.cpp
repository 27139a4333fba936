// Gradient clipping bound to the CUDA backend.
#include <vector>

#include "ops/optim/clip/cuda.h"
#include "ops/optim/clip/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::optim::clip {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  auto factory = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ClipOperands o(n, b);
    std::vector<runtime::cuda::SquaresEntry> squares;
    std::vector<cuda::ScaleEntry> scale;
    int64_t chunks = 0;
    for (size_t k = 0; k < o.grads.size(); ++k) {
      squares.push_back({o.grads[k], o.sizes[k], chunks});
      scale.push_back({o.grads[k], o.sizes[k], chunks});
      chunks += runtime::cuda::squares_chunks(o.sizes[k]);
    }
    const int count = static_cast<int>(o.grads.size());
    const runtime::cuda::Scratch squares_table = b.upload(squares);
    const runtime::cuda::Scratch scale_table = b.upload(scale);
    const auto scratch = b.transient({static_cast<size_t>(chunks) * sizeof(double), static_cast<size_t>(count) * sizeof(float)});
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::clip(squares_table.as<const runtime::cuda::SquaresEntry>(), scale_table.as<const cuda::ScaleEntry>(), count,
                 chunks, o.clip_norm, o.global, scratch[0].as<double>(), scratch[1].as<float>(), o.global_norm, stream);
    });
  };
  table["ClipByNorm"] = factory;
  table["ClipByGlobalNorm"] = factory;
}

}  // namespace ynet::ops::optim::clip
