// FramePooling bound to the host backends; its operands are read in operands.h.
#include "ops/frame_pooling/cpu.h"
#include "ops/frame_pooling/operands.h"
#include "ops/frame_pooling/reference.h"
#include "ops/op.h"

namespace ynet::ops::frame_pooling {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::Buffers<double>& b) -> std::unique_ptr<runtime::BoundStep> {
    const ForwardOperands o(n, b);
    if (o.dequantization.stored_bytes)
      return runtime::make_step([=](const runtime::StepContext&) {
        reference::forward_stored_bytes(o.shape, o.mode, o.bytes, o.lengths, o.dequantization.scale,
                                        o.dequantization.bias, o.y, o.scale, o.shift);
      });
    return runtime::make_step([=](const runtime::StepContext&) {
      reference::forward(o.shape, o.mode, o.x, o.lengths, o.y, o.scale, o.shift);
    });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      reference::backward(o.shape, o.mode, o.x_or_dx(), o.lengths, o.dy, o.dx);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    // The frames' bytes may be the batch's own, lent for the step (Backend::lend).
    const ForwardOperands o(n, b, BytesAt::cell);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.mode, o.dequantization.stored_bytes);
    if (o.dequantization.stored_bytes) {
      const auto dq_scale = static_cast<float>(o.dequantization.scale);
      const auto dq_bias = static_cast<float>(o.dequantization.bias);
      return runtime::make_step([=](const runtime::StepContext&) {
        kernel->forward_stored_bytes(*o.bytes_cell, o.lengths, dq_scale, dq_bias, o.y, o.scale, o.shift);
      });
    }
    return runtime::make_step(
        [=](const runtime::StepContext&) { kernel->forward(o.x, o.lengths, o.y, o.scale, o.shift); });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.mode);
    return runtime::make_step(
        [=](const runtime::StepContext&) { kernel->backward(o.x_or_dx(), o.lengths, o.dy, o.dx); });
  };
}

}  // namespace ynet::ops::frame_pooling
