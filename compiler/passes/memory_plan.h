#pragma once
// Memory planning: liveness over the step order and placement of every buffer in one arena.
// Persistent buffers (inputs, parameters, optimizer and model state) get their own region; transient
// buffers (activations, gradients, saved values) share the rest, reusing bytes whose owner is dead.
#include <cstdint>
#include <map>
#include <vector>

#include "compiler/ir/graph.h"

namespace ynet::passes {

inline constexpr int64_t kArenaAlignment = 64;

struct Lifetime {
  int first = -1;  // index of the first step that touches the value; -1 if no step does
  int last = -1;   // index of the last step that touches it (the graph end for live-out values)
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

std::vector<Lifetime> compute_lifetimes(const ir::Graph& graph, const std::vector<int>& live_out);

// Places every value; transient values whose lifetimes overlap never share bytes.
MemoryLayout plan_memory(const ir::Graph& graph, const std::vector<int>& live_out);

// True when no two transient values that are live at the same step overlap in the arena, and every
// value fits inside its region. Used by tests and by plan loading as a guard against corrupt plans.
bool layout_is_valid(const ir::Graph& graph, const MemoryLayout& layout);

}  // namespace ynet::passes
