#pragma once
// Appends gradient clipping and the optimizer update after the backward steps. The update is one
// fused step over every trainable parameter so that a backend can run it as one kernel.
#include <map>
#include <string>

#include "plan/plan.h"

namespace ynet::passes {

using plan::OptimizerConfig;

// The optimizer slots each parameter needs, with their initial values (RMSProp's mean square starts
// at one, as in TensorFlow 1).
std::vector<std::pair<std::string, std::string>> optimizer_slots(const OptimizerConfig& config);

void append_optimizer(ir::Graph& graph, const OptimizerConfig& config);

}  // namespace ynet::passes
