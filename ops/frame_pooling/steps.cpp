// FramePooling bound to the host backends. Operands: see operands.h. The backward step reads x only
// in max mode (to find the argmax again); mean and sum need the lengths alone.
#include <stdexcept>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/frame_pooling/cpu.h"
#include "ops/frame_pooling/operands.h"
#include "ops/frame_pooling/reference.h"

namespace ynet::ops::frame_pooling {

namespace {

// The gradient step's operands. dx is the only gradient (lengths have none), and its value carries
// the shape even where x itself is not an operand.
template <class T>
struct GradBuffers {
  FramePoolingShape shape;
  PoolingMode mode;
  const T* x;
  const int32_t* lengths;
  const T* dy;
  T* dx;
};

template <class T>
GradBuffers<T> grad_buffers(const ir::Node& n, runtime::Buffers<T>& b) {
  const runtime::GradOperands g(n);
  if (ir::attr_int(n.attrs, "forward_inputs", 0) != 2)
    throw std::invalid_argument("FramePooling.grad differentiates (x, lengths) pooling; a folded BatchNorm is inference only");
  GradBuffers<T> o{shape_of(b.value(g.input_grad(0))),
                   mode_of(n),
                   b.f(g.forward_input(0)),
                   b.i(g.forward_input(1)),
                   b.f(g.output_grad(0)),
                   b.f(g.input_grad(0))};
  if (!o.lengths || !o.dy || (o.mode == PoolingMode::max && !o.x))
    throw std::invalid_argument("FramePooling.grad needs the lengths, the gradient of y and, for max, x");
  // Mean and sum never read x; dx stands in so that the kernel offsets a real pointer.
  if (!o.x) o.x = o.dx;
  return o;
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const FramePoolingShape s = shape_of(b.value(n.inputs.at(0)));
    const PoolingMode mode = mode_of(n);
    const Dequantization dq = dequantization_of(n, b.value(n.inputs[0]));
    const int32_t* lengths = b.i(n.inputs.at(1));
    double* y = b.f(n.outputs.at(0));
    const AffineOperands affine = affine_of(n);
    const double *scale = b.f(affine.scale), *shift = b.f(affine.shift);
    if (dq.stored_bytes) {
      const uint8_t* q = b.u8(n.inputs[0]);
      return runtime::make_step([=](const runtime::StepContext&) {
        reference::forward_stored_bytes(s, mode, q, lengths, dq.scale, dq.bias, y, scale, shift);
      });
    }
    const double* x = b.f(n.inputs[0]);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::forward(s, mode, x, lengths, y, scale, shift); });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const GradBuffers<double> o = grad_buffers(n, b);
    return runtime::make_step(
        [o](const runtime::StepContext&) { reference::backward(o.shape, o.mode, o.x, o.lengths, o.dy, o.dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["FramePooling"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const Dequantization dq = dequantization_of(n, b.value(n.inputs.at(0)));
    auto kernel = std::make_shared<cpu::Kernel>(shape_of(b.value(n.inputs[0])), mode_of(n), dq.stored_bytes);
    const int32_t* lengths = b.i(n.inputs.at(1));
    float* y = b.f(n.outputs.at(0));
    const AffineOperands affine = affine_of(n);
    const float *scale = b.f(affine.scale), *shift = b.f(affine.shift);
    if (dq.stored_bytes) {
      // Read through the cell: the frames may be the batch's own, lent for the step (Backend::lend).
      const uint8_t* const* q = b.u8_cell(n.inputs[0]);
      const auto dq_scale = static_cast<float>(dq.scale), dq_bias = static_cast<float>(dq.bias);
      return runtime::make_step([=](const runtime::StepContext&) {
        kernel->forward_stored_bytes(*q, lengths, dq_scale, dq_bias, y, scale, shift);
      });
    }
    const float* x = b.f(n.inputs[0]);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, lengths, y, scale, shift); });
  };
  table["FramePooling.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const GradBuffers<float> o = grad_buffers(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.mode);
    return runtime::make_step(
        [o, kernel](const runtime::StepContext&) { kernel->backward(o.x, o.lengths, o.dy, o.dx); });
  };
}

}  // namespace ynet::ops::frame_pooling
