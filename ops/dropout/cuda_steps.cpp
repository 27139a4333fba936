// Dropout bound to the CUDA backend; its operands are read in operands.h. The mask is keyed as on
// the host backends, so the GPU drops the same units.
#include <stdexcept>

#include "ops/dropout/cuda.h"
#include "ops/dropout/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::dropout {
namespace {

// The GPU kernel takes the rate as an integer threshold and the inverted scale, which the CPU
// kernel works out in its constructor.
struct Scaling {
  explicit Scaling(double rate) {
    if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
    threshold = philox::drop_threshold(rate);
    scale = static_cast<float>(1.0 / (1.0 - rate));
  }
  uint32_t threshold = 0;
  float scale = 1.f;
};

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    const Scaling s(o.mask.rate);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      cuda::apply_mask(o.mask.key(ctx), first_element(ctx, o.row_elements), s.threshold, s.scale, o.x, o.y,
                       static_cast<int64_t>(o.count), stream);
    });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    const Scaling s(o.mask.rate);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      cuda::apply_mask(o.mask.key(ctx), first_element(ctx, o.row_elements), s.threshold, s.scale, o.dy, o.dx,
                       static_cast<int64_t>(o.count), stream);
    });
  };
}

}  // namespace ynet::ops::dropout
