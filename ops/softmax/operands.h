#pragma once
// The operands of Softmax's steps, read once for every backend (Buffers<double>, Buffers<float>,
// DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "Softmax"       inputs (x[, lengths]), output y; attribute width (the last axis when absent).
//                   With lengths x is a sequence [B, T, ...] and padded frames are 0 in y.
//   "Softmax.grad"  y and dy, output dx.
#include <cstdint>
#include <stdexcept>

#include "ops/softmax/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::softmax {

inline SoftmaxShape shape_of(const ir::Node& n, const ir::Value& x, bool frames) {
  if (x.shape.empty()) throw std::invalid_argument("Softmax needs a vector or a sequence");
  SoftmaxShape s;
  const int64_t frame = x.shape.back();
  const int64_t width = ir::attr_int(n.attrs, "width", frame);
  if (width <= 0 || frame % width != 0) throw std::invalid_argument("Softmax: the width does not divide a frame");
  s.width = static_cast<size_t>(width);
  s.runs = static_cast<size_t>(frame / width);
  if (frames) {
    if (x.shape.size() != 3) throw std::invalid_argument("Softmax over frames needs a [batch, time, features] sequence");
    s.batch = static_cast<size_t>(x.shape[0]);
    s.frames = static_cast<size_t>(x.shape[1]);
  } else {
    s.batch = static_cast<size_t>(frame == 0 ? 0 : x.elements() / frame);
  }
  return s;
}

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  SoftmaxShape shape;
  const T* x;
  const int32_t* lengths;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(n.inputs.at(0)), n.inputs.size() > 1)),
        x(b.f(n.inputs[0])),
        lengths(n.inputs.size() > 1 ? b.i(n.inputs[1]) : nullptr),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  SoftmaxShape shape;  // runs only: backward needs no frame structure
  const T* y;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(g.input_grad(0)), false)),
        y(b.f(g.forward_output(0))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::softmax
