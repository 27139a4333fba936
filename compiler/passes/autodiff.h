#pragma once
// Reverse-mode automatic differentiation over the forward graph. Each step op declares its gradient
// rule beside its lowering (ops/<op>/lower.cpp, see ops/grad.h); this pass walks the forward steps in
// reverse, asks each rule for its backward steps, and sums the gradients of values used more than once.
#include <functional>
#include <string>
#include <vector>

#include "ops/grad.h"

namespace ynet::passes {

using ops::GradContext;
using ops::GradRule;

// The gradient rule of a step op, found through the op registry; nullptr for ops without one.
using GradRuleLookup = std::function<const GradRule*(const std::string& op)>;

// Appends the backward steps for graph.loss. Throws std::logic_error naming the op if a step on the
// path to the loss has no gradient rule.
void autodiff(ir::Graph& graph, const GradRuleLookup& lookup);

}  // namespace ynet::passes
