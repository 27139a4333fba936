#include <fmt/format.h>

#include "plan/emit/emit.h"

namespace ynet::emit {

std::string data_parallel(const plan::Plan& per_process, int processes) {
  const ir::Graph& g = per_process.graph;
  int64_t gradient_bytes = 0;
  for (const ir::ParamEntry& p : g.params)
    if (p.grad >= 0) gradient_bytes += g.value(p.grad).bytes();
  int batch_wide = 0;
  for (const ir::Node& node : g.nodes)
    if (node.phase == ir::Phase::Forward && (node.op == "BatchNorm" || node.op == "MoE")) ++batch_wide;
  const double ring_share = 2.0 * (processes - 1) / processes;
  std::string out = fmt::format("\nacross {} processes: global batch {}, {} per process (the plan above)\n", processes,
                                per_process.meta.batch * processes, per_process.meta.batch);
  out += fmt::format("  gradient all-reduce per step  {} (a ring all-reduce sends and receives {} per process)\n",
                     bytes(gradient_bytes), bytes(static_cast<int64_t>(ring_share * static_cast<double>(gradient_bytes))));
  out += fmt::format("  batch-wide sums per step      {} layers (BatchNorm, MoE) sum their statistics over the "
                     "processes, forward and backward: a few values per feature or expert\n",
                     batch_wide);
  return out;
}

}  // namespace ynet::emit
