#include "plan/memory_layout.h"

namespace ynet::plan {

bool layout_is_valid(const ir::Graph& graph, const MemoryLayout& layout) {
  if (layout.offset.size() != graph.values.size() || layout.lifetime.size() != graph.values.size()) return false;
  std::vector<int> transient;
  for (const ir::Value& v : graph.values) {
    const int64_t off = layout.offset[static_cast<size_t>(v.id)];
    if (off < 0) continue;
    if (v.persistent()) {
      if (off + v.bytes() > layout.persistent_bytes) return false;
    } else {
      if (off < layout.persistent_bytes || off + v.bytes() > layout.arena_bytes) return false;
      transient.push_back(v.id);
    }
    if (off % kArenaAlignment != 0) return false;
  }
  for (size_t i = 0; i < transient.size(); ++i)
    for (size_t j = i + 1; j < transient.size(); ++j) {
      const ir::Value& a = graph.value(transient[i]);
      const ir::Value& b = graph.value(transient[j]);
      if (!layout.lifetime[static_cast<size_t>(a.id)].overlaps(layout.lifetime[static_cast<size_t>(b.id)])) continue;
      const int64_t a0 = layout.offset[static_cast<size_t>(a.id)], b0 = layout.offset[static_cast<size_t>(b.id)];
      if (a0 < b0 + b.bytes() && b0 < a0 + a.bytes()) return false;
    }
  return true;
}

}  // namespace ynet::plan
