#pragma once
// Where every buffer of a plan lives in its one arena, and for which steps. The memory-planning pass
// (compiler/passes/memory_plan) produces it; plan loading and the backends only read and check it.
#include <cstdint>
#include <map>
#include <vector>

#include "plan/graph.h"

namespace ynet::plan {

inline constexpr int64_t kArenaAlignment = 64;

inline int64_t align_to_arena(int64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

struct Lifetime {
  int first = -1;  // index of the first step that touches the value; -1 if no step does
  int last = -1;   // index of the last step that touches it (the graph end for live-out values)

  bool overlaps(const Lifetime& other) const { return first <= other.last && other.first <= last; }
};

struct MemoryLayout {
  std::vector<int64_t> offset;      // arena offset per value id, -1 for values no step touches
  std::vector<Lifetime> lifetime;   // per value id
  int64_t persistent_bytes = 0;     // region for inputs, parameters, optimizer and model state
  int64_t transient_bytes = 0;      // region the planner packs transient buffers into
  int64_t arena_bytes = 0;          // persistent + transient
  int64_t naive_bytes = 0;          // every buffer with bytes of its own (no reuse)
  int64_t peak_live_bytes = 0;      // most transient bytes live at one step (a lower bound for the region)
  int peak_step = -1;
  int64_t workspace_bytes = 0;      // kernels' own workspace, estimated by the steps (attribute workspace_bytes)
  std::map<ir::BufferKind, int64_t> bytes_by_kind;    // every buffer, summed per kind
  std::map<ir::BufferKind, int64_t> peak_by_kind;     // transient bytes per kind live at the peak step
};

// True when no two transient values that are live at the same step overlap in the arena, and every
// value fits inside its region. Used by tests and by plan loading as a guard against corrupt plans.
bool layout_is_valid(const ir::Graph& graph, const MemoryLayout& layout);

}  // namespace ynet::plan
