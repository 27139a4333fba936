#include <fmt/format.h>

#include "plan/emit/emit.h"

namespace ynet::emit {
namespace {

std::string operand(const plan::Plan& plan, int id) {
  if (id < 0) return "-";
  const ir::Value& v = plan.graph.value(id);
  return fmt::format("%{}:{}{}", id, v.name, ir::format_shape(v.shape));
}

std::string operands(const plan::Plan& plan, const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ", ";
    out += operand(plan, ids[i]);
  }
  return out;
}

}  // namespace

std::string text(const plan::Plan& plan) {
  const plan::PlanMeta& m = plan.meta;
  std::string out = fmt::format("plan {} mode={} batch={} max_frames={} classes={} steps={} buffers={}\n", m.model,
                                plan::to_string(m.mode), m.batch, m.max_frames, m.classes, plan.graph.nodes.size(),
                                plan.graph.values.size());
  out += "\nsteps:\n";
  for (size_t i = 0; i < plan.graph.nodes.size(); ++i) {
    const ir::Node& n = plan.graph.nodes[i];
    std::string attrs;
    for (const auto& [k, v] : n.attrs) attrs += fmt::format(" {}={}", k, ir::format_attr(v));
    out += fmt::format("  {:>3} {:<9} {:<22} ({}) -> ({})  {}  [{}]{}\n", i, ir::to_string(n.phase), n.op,
                       operands(plan, n.inputs), operands(plan, n.outputs), flops(n.flops), n.layer, attrs);
  }
  out += "\nbuffers:\n";
  for (const ir::Value& v : plan.graph.values) {
    const auto& life = plan.memory.lifetime[static_cast<size_t>(v.id)];
    out += fmt::format("  %{:<4} {:<36} {:<16} {:<3} {:<15} offset={:<12} bytes={:<11} live={}..{}\n", v.id, v.name,
                       ir::format_shape(v.shape), ir::to_string(v.dtype), ir::to_string(v.kind),
                       plan.memory.offset[static_cast<size_t>(v.id)], v.bytes(), life.first, life.last);
  }
  const auto& mem = plan.memory;
  auto kind_bytes = [&](ir::BufferKind k) {
    auto it = mem.bytes_by_kind.find(k);
    return it == mem.bytes_by_kind.end() ? int64_t{0} : it->second;
  };
  out += "\nmemory:\n";
  out += fmt::format("  parameters        {}\n", bytes(kind_bytes(ir::BufferKind::Param)));
  out += fmt::format("  optimizer state   {}\n", bytes(kind_bytes(ir::BufferKind::OptimizerState)));
  out += fmt::format("  model state       {}\n", bytes(kind_bytes(ir::BufferKind::ModelState)));
  out += fmt::format("  inputs            {}\n", bytes(kind_bytes(ir::BufferKind::Input)));
  out += fmt::format("  transient region  {} (peak live {} at step {})\n", bytes(mem.transient_bytes),
                     bytes(mem.peak_live_bytes), mem.peak_step);
  for (const auto& [kind, b] : mem.peak_by_kind)
    out += fmt::format("    {:<16}{} live at the peak\n", ir::to_string(kind), bytes(b));
  out += fmt::format("  arena             {}\n", bytes(mem.arena_bytes));
  if (mem.workspace_bytes > 0)
    out += fmt::format("  kernel workspace  {} (estimated; LSTM and MoE keep their backward state here)\n",
                       bytes(mem.workspace_bytes));
  const double saved = mem.naive_bytes > 0 ? 100.0 * (1.0 - double(mem.arena_bytes) / double(mem.naive_bytes)) : 0;
  out += fmt::format("  naive sum         {} (the arena is {:.1f}% smaller)\n", bytes(mem.naive_bytes), saved);
  out += fmt::format("\nflops per step: forward {}, loss {}, backward {}, optimizer {}\n",
                     flops(plan.flops(ir::Phase::Forward)), flops(plan.flops(ir::Phase::Loss)),
                     flops(plan.flops(ir::Phase::Backward)), flops(plan.flops(ir::Phase::Optimizer)));
  return out;
}

}  // namespace ynet::emit
