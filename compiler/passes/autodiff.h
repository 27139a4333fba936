#pragma once
// Reverse-mode automatic differentiation over the forward graph. Each step op declares its gradient
// rule beside its shape rule (runtime/ops/<op>/lower.cpp); this pass walks the forward steps in
// reverse, asks each rule for its backward steps, and sums the gradients of values used more than once.
#include <functional>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"

namespace ynet::passes {

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

// The gradient rule of a step op, found through the op registry; nullptr for ops without one.
using GradRuleLookup = std::function<const GradRule*(const std::string& op)>;

// Appends the backward steps for graph.loss. Throws std::logic_error naming the op if a step on the
// path to the loss has no gradient rule.
void autodiff(ir::Graph& graph, const GradRuleLookup& lookup);

}  // namespace ynet::passes
