#pragma once
// The operands of the MoE classifier's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "MoeClassifier"       inputs (x [B, F], gate_weights [F, C(M+1)], expert_weights [F, CM],
//                         expert_bias [CM]), output probabilities [B, C]; attributes classes, mixtures
//   "MoeClassifier.grad"  the standard gradient operands (GradOperands) of "MoeClassifier": its inputs
//                         again, dy; writes dx (-1 when nothing upstream needs it) and the gradients
//                         of the three parameters
#include <cstddef>
#include <cstdint>

#include "ops/moe_classifier/classifier_shape.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::moe_classifier {

inline ClassifierShape shape_of(const ir::Node& n, const ir::Value& x) {
  ClassifierShape s;
  s.batch = x.shape.at(0);
  s.input = x.shape.at(1);
  s.classes = ir::attr_int(n.attrs, "classes", 1);
  s.mixtures = ir::attr_int(n.attrs, "mixtures", 1);
  return s;
}

// What both steps of a layer read: the forward step's inputs (whichever step binds first builds the
// layer's shared kernel).
template <runtime::StepBuffers B>
struct ClassifierOperands {
  using T = typename B::Element;
  ClassifierShape shape;
  const T* x;
  Params<T> params;

 protected:
  // input(i): the id of the forward step's i-th input.
  template <class Input>
  ClassifierOperands(const ir::Node& n, B& b, Input input)
      : shape(shape_of(n, b.plan().graph.value(input(0)))),
        x(b.f(input(0))),
        params{b.f(input(1)), b.f(input(2)), b.f(input(3))} {}
};

template <runtime::StepBuffers B>
struct ForwardOperands : ClassifierOperands<B> {
  using T = typename B::Element;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : ClassifierOperands<B>(n, b, [&](size_t i) { return n.inputs.at(i); }), y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands : ClassifierOperands<B> {
  using T = typename B::Element;
  const T* dy;
  T* dx;  // nullptr when nothing upstream needs it
  Grads<T> grads;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : ClassifierOperands<B>(n, b, [&](size_t i) { return g.forward_input(i); }),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))),
        grads{b.f(g.input_grad(1)), b.f(g.input_grad(2)), b.f(g.input_grad(3))} {}
};

}  // namespace ynet::ops::moe_classifier
