#pragma once
// The operands of Multiply's steps, read once for every backend (Buffers<double>, Buffers<float>,
// DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "Multiply"       inputs (a, b), output y; b has elements(a) / run values (reference.h).
//   "Multiply.grad"  a, b and dy; outputs da, db (either may be absent).
#include <stdexcept>

#include "ops/multiply/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::multiply {

inline MultiplyShape shape_of(const ir::Value& a, const ir::Value& b) {
  const int64_t elements = a.elements(), scales = b.elements();
  if (scales <= 0 || elements % scales != 0) throw std::invalid_argument("Multiply: b's values do not divide a's");
  return {static_cast<size_t>(elements), static_cast<size_t>(elements / scales)};
}

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  MultiplyShape shape;
  const T* a;
  const T* b;
  T* y;

  ForwardOperands(const ir::Node& n, B& buffers)
      : shape(shape_of(buffers.plan().graph.value(n.inputs.at(0)), buffers.plan().graph.value(n.inputs.at(1)))),
        a(buffers.f(n.inputs[0])),
        b(buffers.f(n.inputs[1])),
        y(buffers.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  MultiplyShape shape;
  const T* a;
  const T* b;
  const T* dy;
  T* da;
  T* db;

  BackwardOperands(const ir::Node& n, B& buffers) : BackwardOperands(runtime::GradOperands(n), buffers) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, B& buffers)
      : shape(shape_of(buffers.plan().graph.value(g.forward_input(0)), buffers.plan().graph.value(g.forward_input(1)))),
        a(buffers.f(g.forward_input(0))),
        b(buffers.f(g.forward_input(1))),
        dy(buffers.f(g.output_grad(0))),
        da(buffers.f(g.input_grad(0))),
        db(buffers.f(g.input_grad(1))) {}
};

}  // namespace ynet::ops::multiply
