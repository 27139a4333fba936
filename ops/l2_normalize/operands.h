#pragma once
// The operands of L2Normalize's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "L2Normalize"       input x, output y; attributes epsilon, group. Rows are the last axis (frames
//                       of a sequence), or runs of `group` values when the step has it (NetVLAD
//                       normalises each cluster's residual of a [B, K*F] tensor: group F).
//   "L2Normalize.grad"  x and dy, output dx; the norms are recomputed from x
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "ops/l2_normalize/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::l2_normalize {

inline L2NormalizeShape shape_of(const ir::Node& n, const ir::Value& x) {
  L2NormalizeShape s;
  s.features = static_cast<size_t>(ir::attr_int(n.attrs, "group", x.shape.empty() ? 1 : x.shape.back()));
  if (s.features > 0 && static_cast<size_t>(x.elements()) % s.features != 0)
    throw std::invalid_argument("L2Normalize: the group does not divide the tensor");
  s.rows = s.features == 0 ? 0 : static_cast<size_t>(x.elements()) / s.features;
  return s;
}

inline double epsilon_of(const ir::Node& n) { return ir::attr_double(n.attrs, "epsilon", kDefaultEpsilon); }

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  L2NormalizeShape shape;
  double epsilon;
  const T* x;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(n.inputs.at(0)))),
        epsilon(epsilon_of(n)),
        x(b.f(n.inputs[0])),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  L2NormalizeShape shape;  // of dx, which exists wherever the step does
  double epsilon;
  const T* x;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(g.input_grad(0)))),
        epsilon(epsilon_of(n)),
        x(b.f(g.forward_input(0))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::l2_normalize
