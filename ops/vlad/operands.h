#pragma once
// The operands of VladAggregate's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "VladAggregate"       inputs (a [B, T, G*K], x [B, T, G*F], centres [K, F] or -1), output
//                         v [B, K*F]; attribute clusters (K). G = 1 for NetVLAD; NeXtVLAD's G groups
//                         of a frame are G consecutive rows (reference.h).
//   "VladAggregate.grad"  a, x, centres and dv; outputs da, dx, dcentres (dx or dcentres may be
//                         absent).
#include <cstdint>
#include <stdexcept>

#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "ops/vlad/reference.h"
#include "plan/graph.h"

namespace ynet::ops::vlad {

inline VladShape shape_of(const ir::Node& n, const ir::Value& a, const ir::Value& x) {
  const int64_t clusters = ir::attr_int(n.attrs, "clusters", 0);
  if (a.shape.size() != 3 || x.shape.size() != 3 || clusters <= 0 || a.shape[2] % clusters != 0)
    throw std::invalid_argument("VladAggregate needs assignments [B, T, G*clusters] and descriptors [B, T, G*F]");
  const int64_t groups = a.shape[2] / clusters;
  if (x.shape[0] != a.shape[0] || x.shape[1] != a.shape[1] || x.shape[2] % groups != 0)
    throw std::invalid_argument("VladAggregate: the descriptors do not match the assignments' frames and groups");
  return {static_cast<size_t>(a.shape[0]), static_cast<size_t>(a.shape[1] * groups), static_cast<size_t>(clusters),
          static_cast<size_t>(x.shape[2] / groups)};
}

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  VladShape shape;
  const T* a;
  const T* x;
  const T* centres;  // null for NetRVLAD
  T* v;

  ForwardOperands(const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(n.inputs.at(0)), b.plan().graph.value(n.inputs.at(1)))),
        a(b.f(n.inputs[0])),
        x(b.f(n.inputs[1])),
        centres(b.f(n.inputs.at(2))),
        v(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  VladShape shape;
  const T* a;
  const T* x;
  const T* centres;
  const T* dv;
  T* da;
  T* dx;
  T* dcentres;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(g.forward_input(0)), b.plan().graph.value(g.forward_input(1)))),
        a(b.f(g.forward_input(0))),
        x(b.f(g.forward_input(1))),
        centres(b.f(g.forward_input(2))),
        dv(b.f(g.output_grad(0))),
        da(b.f(g.input_grad(0))),
        dx(b.f(g.input_grad(1))),
        dcentres(b.f(g.input_grad(2))) {}
};

}  // namespace ynet::ops::vlad
