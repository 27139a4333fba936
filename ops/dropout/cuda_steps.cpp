// Dropout bound to the CUDA backend. Operands: see lower.cpp. The mask is keyed as on the host
// backends (steps.cpp), so the GPU drops the same units.
#include <stdexcept>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/dropout/cuda.h"

namespace ynet::ops::dropout {
namespace {

// A dropout step's fixed settings: the rate as an integer threshold and the inverted scale.
struct Mask {
  explicit Mask(const ir::Node& n)
      : stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))) {
    const double rate = ir::attr_double(n.attrs, "rate", 0.5);
    if (!(rate >= 0.0 && rate < 1.0)) throw std::invalid_argument("dropout rate must be in [0, 1)");
    threshold = philox::drop_threshold(rate);
    scale = static_cast<float>(1.0 / (1.0 - rate));
  }
  philox::MaskKey key(const runtime::StepContext& ctx) const {
    return {ctx.seed, static_cast<uint64_t>(ctx.step), stream};
  }
  uint32_t stream;
  uint32_t threshold = 0;
  float scale = 1.f;
};

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const Mask mask(n);
    const int64_t count = b.elements(n.inputs.at(0));
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      cuda::apply_mask(mask.key(ctx), mask.threshold, mask.scale, x, y, count, stream);
    });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const Mask mask(n);
    const int64_t count = b.elements(g.output_grad(0));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      cuda::apply_mask(mask.key(ctx), mask.threshold, mask.scale, dy, dx, count, stream);
    });
  };
}

}  // namespace ynet::ops::dropout
