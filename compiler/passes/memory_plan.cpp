#include "compiler/passes/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace ynet::passes {
namespace {


}  // namespace

std::vector<Lifetime> compute_lifetimes(const ir::Graph& graph, const std::vector<int>& live_out) {
  std::vector<Lifetime> life(graph.values.size());
  auto touch = [&](int value, int step) {
    if (value < 0) return;
    Lifetime& l = life[static_cast<size_t>(value)];
    if (l.first < 0) l.first = step;
    l.last = std::max(l.last, step);
  };
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (int v : graph.nodes[i].inputs) touch(v, static_cast<int>(i));
    for (int v : graph.nodes[i].outputs) touch(v, static_cast<int>(i));
  }
  const int end = static_cast<int>(graph.nodes.size());
  for (int v : live_out) {
    Lifetime& l = life[static_cast<size_t>(v)];
    if (l.first < 0) l.first = 0;
    l.last = end;
  }
  return life;
}

MemoryLayout plan_memory(const ir::Graph& graph, const std::vector<int>& live_out) {
  MemoryLayout out;
  out.lifetime = compute_lifetimes(graph, live_out);
  out.offset.assign(graph.values.size(), -1);

  std::vector<int> transient;
  for (const ir::Value& v : graph.values) {
    out.bytes_by_kind[v.kind] += v.bytes();
    out.naive_bytes += plan::align_to_arena(v.bytes());
    if (v.persistent()) {
      // Parameters and state live for the whole run even if this graph never reads them.
      out.offset[static_cast<size_t>(v.id)] = out.persistent_bytes;
      out.persistent_bytes += plan::align_to_arena(v.bytes());
    } else if (out.lifetime[static_cast<size_t>(v.id)].first >= 0) {
      transient.push_back(v.id);
    }
  }

  // Greedy by size: large buffers first, each at the lowest offset that no live-overlapping buffer uses.
  std::stable_sort(transient.begin(), transient.end(), [&](int a, int b) {
    return graph.value(a).bytes() > graph.value(b).bytes();
  });
  struct Placed { int64_t begin, end; Lifetime life; };
  std::vector<Placed> placed;
  for (int id : transient) {
    const Lifetime life = out.lifetime[static_cast<size_t>(id)];
    const int64_t size = plan::align_to_arena(graph.value(id).bytes());
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const Placed& p : placed)
      if (p.life.overlaps(life)) busy.emplace_back(p.begin, p.end);
    std::sort(busy.begin(), busy.end());
    int64_t candidate = 0;
    for (const auto& [begin, end] : busy) {
      if (candidate + size <= begin) break;
      candidate = std::max(candidate, end);
    }
    placed.push_back({candidate, candidate + size, life});
    out.offset[static_cast<size_t>(id)] = out.persistent_bytes + candidate;
    out.transient_bytes = std::max(out.transient_bytes, candidate + size);
  }
  out.arena_bytes = out.persistent_bytes + out.transient_bytes;
  for (const ir::Node& n : graph.nodes)
    if (n.phase == ir::Phase::Forward) out.workspace_bytes += ir::attr_int(n.attrs, "workspace_bytes", 0);

  const int steps = static_cast<int>(graph.nodes.size()) + 1;
  for (int step = 0; step < steps; ++step) {
    int64_t live = 0;
    for (int id : transient) {
      const Lifetime& l = out.lifetime[static_cast<size_t>(id)];
      if (l.first <= step && step <= l.last) live += plan::align_to_arena(graph.value(id).bytes());
    }
    if (live > out.peak_live_bytes) {
      out.peak_live_bytes = live;
      out.peak_step = step;
    }
  }
  if (out.peak_step >= 0)
    for (int id : transient) {
      const Lifetime& l = out.lifetime[static_cast<size_t>(id)];
      if (l.first <= out.peak_step && out.peak_step <= l.last)
        out.peak_by_kind[graph.value(id).kind] += plan::align_to_arena(graph.value(id).bytes());
    }
  return out;
}

}  // namespace ynet::passes
