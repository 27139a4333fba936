#pragma once
// Appends gradient clipping and the optimizer update after the backward steps. The update is one
// fused step over every trainable parameter so that a backend can run it as one kernel.
#include <map>
#include <string>

#include "compiler/ir/graph.h"

namespace ynet::passes {

struct OptimizerConfig {
  std::string name = "RMSProp";          // RMSProp | Adam | SGD
  std::map<std::string, double> args;    // lr, decay, momentum, epsilon, beta1, beta2 (defaults filled in)
  double clip_norm = 0;                  // 0: no clipping
  std::string clip = "per_tensor";       // per_tensor (TensorFlow clip_by_norm) | global (clip_by_global_norm)
};

// The optimizer slots each parameter needs, with their initial values (RMSProp's mean square starts
// at one, as in TensorFlow 1).
std::vector<std::pair<std::string, std::string>> optimizer_slots(const OptimizerConfig& config);

void append_optimizer(ir::Graph& graph, const OptimizerConfig& config);

}  // namespace ynet::passes
