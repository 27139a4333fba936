#pragma once
// The operands of the L2 weight-decay loss term's steps (l2_penalty.h), read once for every backend
// (Buffers<double>, Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct
// kernels and call them.
//   "L2Penalty"       inputs (weights...), output the penalty l2 * sum(w^2) / 2 (a scalar);
//                     attribute l2
//   "L2Penalty.grad"  the forward inputs and dpenalty (read as the step runs), outputs (dw or -1 per
//                     weight): dw = dpenalty * l2 * w
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::logistic {

inline double l2_of(const ir::Node& n) { return ir::attr_double(n.attrs, "l2", 0.0); }

template <runtime::StepBuffers B>
struct PenaltyOperands {
  using T = typename B::Element;
  struct Weight {
    const T* data;
    int64_t count;
  };
  double l2;
  std::vector<Weight> weights;  // every weight penalised, in input order
  T* penalty;

  PenaltyOperands(const ir::Node& n, B& b) : l2(l2_of(n)) {
    for (int v : n.inputs) {
      if (v < 0) throw std::invalid_argument("L2Penalty reads every weight it penalises");
      weights.push_back({b.f(v), b.elements(v)});
    }
    penalty = b.f(n.outputs.at(0));
  }
};

template <runtime::StepBuffers B>
struct PenaltyGradOperands {
  using T = typename B::Element;
  struct Term {
    const T* weights;
    T* gradient;
    int64_t count;
  };
  double l2;
  std::vector<Term> terms;  // the weights whose gradient is needed, in input order
  const T* dpenalty;

  PenaltyGradOperands(const ir::Node& n, B& b) : PenaltyGradOperands(runtime::GradOperands(n), n, b) {}

 private:
  PenaltyGradOperands(const runtime::GradOperands& g, const ir::Node& n, B& b) : l2(l2_of(n)) {
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (g.input_grad(i) < 0) continue;
      if (g.forward_input(i) < 0)
        throw std::invalid_argument(
            fmt::format("L2Penalty.grad does not read weight {} (buffer '{}'), whose gradient it must write", i,
                        b.plan().graph.value(g.input_grad(i)).name));
      terms.push_back({b.f(g.forward_input(i)), b.f(g.input_grad(i)), b.elements(g.forward_input(i))});
    }
    dpenalty = b.f(g.output_grad(0));
  }
};

}  // namespace ynet::ops::logistic
