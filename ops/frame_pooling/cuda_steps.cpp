// FramePooling bound to the CUDA backend; its operands are read in operands.h.
#include <stdexcept>

#include "ops/frame_pooling/cuda.h"
#include "ops/frame_pooling/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::frame_pooling {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    if (o.dequantization.stored_bytes)
      throw std::invalid_argument("FramePooling over stored bytes (u8 frames) runs on the host backends; the cuda "
                                  "backend pools dequantized f32 frames");
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::forward(o.shape, o.mode, o.x, o.lengths, o.y, o.scale, o.shift, stream);
    });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    cudaStream_t stream = b.stream();
    return runtime::make_step(
        [=](const runtime::StepContext&) { cuda::backward(o.shape, o.mode, o.x, o.lengths, o.dy, o.dx, stream); });
  };
}

}  // namespace ynet::ops::frame_pooling
