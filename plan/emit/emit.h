#pragma once
// Human- and machine-readable views of a plan. Each format is documented in docs/plan.md.
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::emit {

std::string text(const plan::Plan& plan);     // one line per step, then the buffer table and memory totals
std::string json(const plan::Plan& plan);     // the same, machine-readable
std::string dot(const plan::Plan& plan);      // Graphviz: steps coloured by kind, clusters per phase
// Parameters, FLOPs per sample, and the arena size of `plan` and of the same model compiled at other
// batch sizes (`by_batch`, in increasing batch order).
std::string summary(const plan::Plan& plan, const std::vector<plan::Plan>& by_batch);
std::string memory_svg(const plan::Plan& plan);  // buffers as bars over the step axis
// For a training plan compiled at one process's slice of the batch: the global batch, the gradient
// bytes summed over the processes per step, and the layers that sum statistics across them.
std::string data_parallel(const plan::Plan& per_process, int processes);

// "1.50 GiB", "312.0 MiB", "64 B"
std::string bytes(int64_t n);
// "12.3 GFLOP"
std::string flops(int64_t n);

}  // namespace ynet::emit
