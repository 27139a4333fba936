#pragma once
// The operands of the graph's own steps, read once for every backend:
//   "LossSum"       inputs: the scalar loss terms; output: the scalar loss
//   "LossSum.grad"  outputs: the gradient of each term (-1 where none is needed), all set to 1
//   "AddGrad"       inputs (a, b); output a + b: two contributions to one value's gradient
#include <cstdint>
#include <vector>

#include "ops/support/step_buffers.h"
#include "plan/graph.h"

namespace ynet::ops::graph {

template <runtime::StepBuffers B>
struct LossSumOperands {
  using T = typename B::Element;
  std::vector<const T*> terms;
  T* loss;

  LossSumOperands(const ir::Node& n, B& b) : loss(b.f(n.outputs.at(0))) {
    for (int v : n.inputs) terms.push_back(b.f(v));
  }
};

template <runtime::StepBuffers B>
struct LossSumGradOperands {
  using T = typename B::Element;
  std::vector<T*> term_grads;

  LossSumGradOperands(const ir::Node& n, B& b) {
    for (int v : n.outputs)
      if (v >= 0) term_grads.push_back(b.f(v));
  }
};

template <runtime::StepBuffers B>
struct AddGradOperands {
  using T = typename B::Element;
  const T* a;
  const T* b;
  T* sum;
  int64_t count;

  AddGradOperands(const ir::Node& n, B& buffers)
      : a(buffers.f(n.inputs.at(0))),
        b(buffers.f(n.inputs.at(1))),
        sum(buffers.f(n.outputs.at(0))),
        count(buffers.elements(n.outputs.at(0))) {}
};

}  // namespace ynet::ops::graph
