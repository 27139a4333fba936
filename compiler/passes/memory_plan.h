#pragma once
// Memory planning: liveness over the step order and placement of every buffer in one arena.
// Persistent buffers (inputs, parameters, optimizer and model state) get their own region; transient
// buffers (activations, gradients, saved values) share the rest, reusing bytes whose owner is dead.
#include <cstdint>
#include <vector>

#include "plan/memory_layout.h"

namespace ynet::passes {

using plan::Lifetime;
using plan::MemoryLayout;

std::vector<Lifetime> compute_lifetimes(const ir::Graph& graph, const std::vector<int>& live_out);

// Places every value; transient values whose lifetimes overlap never share bytes.
MemoryLayout plan_memory(const ir::Graph& graph, const std::vector<int>& live_out);

}  // namespace ynet::passes
