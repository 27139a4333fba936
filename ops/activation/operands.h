#pragma once
// The operands of Activation's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "Activation"       input x, output y; attribute kind (none, relu, sigmoid, tanh)
//   "Activation.grad"  the forward output y and dy, output dx: the derivative is taken from y, so
//                      x is not read
#include <cstddef>

#include "ops/activation/kind.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::activation {

inline ActivationKind kind_of(const ir::Node& n) { return activation_kind(ir::attr_string(n.attrs, "kind", "none")); }

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  ActivationKind kind;
  size_t count;  // elements of x and y
  const T* x;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : kind(kind_of(n)),
        count(static_cast<size_t>(b.elements(n.inputs.at(0)))),
        x(b.f(n.inputs[0])),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  ActivationKind kind;
  size_t count;
  const T* y;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : kind(kind_of(n)),
        count(static_cast<size_t>(b.elements(g.forward_output(0)))),
        y(b.f(g.forward_output(0))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::activation
