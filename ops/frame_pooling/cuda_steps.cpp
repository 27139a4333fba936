// FramePooling bound to the CUDA backend. Operands: see operands.h; the backward step reads x only
// in max mode.
#include <stdexcept>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/frame_pooling/cuda.h"
#include "ops/frame_pooling/operands.h"

namespace ynet::ops::frame_pooling {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const FramePoolingShape s = shape_of(b.value(n.inputs.at(0)));
    const PoolingMode mode = mode_of(n);
    if (dequantization_of(n, b.value(n.inputs[0])).stored_bytes)
      throw std::invalid_argument("FramePooling over stored bytes (u8 frames) runs on the host backends; the cuda "
                                  "backend pools dequantized f32 frames");
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs.at(1));
    float* y = b.f(n.outputs.at(0));
    const AffineOperands affine = affine_of(n);
    const float *scale = b.f(affine.scale), *shift = b.f(affine.shift);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::forward(s, mode, x, lengths, y, scale, shift, stream); });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    if (ir::attr_int(n.attrs, "forward_inputs", 0) != 2)
      throw std::invalid_argument("FramePooling.grad differentiates (x, lengths) pooling; a folded BatchNorm is inference only");
    const FramePoolingShape s = shape_of(b.value(g.input_grad(0)));
    const PoolingMode mode = mode_of(n);
    const float* x = b.f(g.forward_input(0));
    const int32_t* lengths = b.i(g.forward_input(1));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    if (!lengths || !dy || (mode == PoolingMode::max && !x))
      throw std::invalid_argument("FramePooling.grad needs the lengths, the gradient of y and, for max, x");
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::backward(s, mode, x, lengths, dy, dx, stream); });
  };
}

}  // namespace ynet::ops::frame_pooling
