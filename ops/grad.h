#pragma once
// What a step's gradient rule works with. Each op declares the rule beside its lowering
// (ops/<op>/lower.cpp); the autodiff pass (compiler/passes/autodiff) walks the forward steps in
// reverse and calls the rules.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "plan/graph.h"

namespace ynet::ops {

class GradContext {
 public:
  explicit GradContext(ir::Graph& graph);

  const ir::Graph& graph() const { return graph_; }
  // True when a trainable parameter feeds this value, so the loss gradient must reach it.
  bool needs_grad(int value) const;
  // The accumulated gradient of a forward value so far, or -1 if none has reached it.
  int grad(int value) const;
  // A fresh value for the next emitted step to write as (a contribution to) the gradient of `value`;
  // -1 when `value` needs no gradient.
  int make_grad(int value);
  // Appends a backward step and sums contributions made since the last emit into earlier gradients.
  void emit(ir::Node node);

  void seed(int value, int grad_value);

 private:
  ir::Graph& graph_;
  std::vector<int> grad_;
  std::vector<bool> needs_grad_;
  std::vector<std::pair<int, int>> pending_;  // (forward value, contribution) to add after the next step
};

using GradRule = std::function<void(const ir::Node& forward, GradContext& ctx)>;

// The backward step most ops use: op "<op>.grad", inputs = the forward inputs and outputs the rule
// needs (-1 where not needed) followed by the gradient of each forward output (-1 where none), and one
// output per forward input: its gradient, or -1. `flops` is the backward step's cost.
void emit_standard_grad(const ir::Node& forward, GradContext& ctx, const std::vector<bool>& needs_inputs,
                        const std::vector<bool>& needs_outputs, int64_t flops);

}  // namespace ynet::ops
