#include "compiler/passes/autodiff.h"

#include <fmt/format.h>

#include <stdexcept>

namespace ynet::passes {

void autodiff(ir::Graph& graph, const GradRuleLookup& lookup) {
  if (graph.loss < 0) throw std::logic_error("autodiff needs a graph with a loss");
  const size_t forward_steps = graph.nodes.size();
  GradContext ctx(graph);
  // The loss is a sum of terms; its gradient with respect to each term is one, written by a step of
  // its own so that every gradient in the graph is a buffer some step produces.
  for (size_t i = forward_steps; i-- > 0;) {
    const ir::Node forward = graph.nodes[i];  // copy: emitting may reallocate graph.nodes
    const bool is_loss_sum = forward.outputs.size() == 1 && forward.outputs[0] == graph.loss;
    if (is_loss_sum) {
      ir::Node seed;
      seed.op = "LossSum.grad";
      seed.attrs = forward.attrs;
      seed.layer = forward.layer;
      for (int term : forward.inputs) seed.outputs.push_back(ctx.make_grad(term));
      ctx.emit(std::move(seed));
      continue;
    }
    if (forward.phase != ir::Phase::Forward && forward.phase != ir::Phase::Loss) continue;
    bool reaches_loss = false;
    for (int out : forward.outputs)
      if (ctx.grad(out) >= 0) reaches_loss = true;
    if (!reaches_loss) continue;
    const GradRule* rule = lookup(forward.op);
    if (!rule) throw std::logic_error(fmt::format("op '{}' has no gradient rule", forward.op));
    (*rule)(forward, ctx);
  }
  for (ir::ParamEntry& p : graph.params)
    if (p.trainable) p.grad = ctx.grad(p.value);
}

}  // namespace ynet::passes
