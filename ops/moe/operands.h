#pragma once
// Reading a MoE step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "plan/graph.h"
#include "ops/support/step_support.h"
#include "ops/moe/moe_shape.h"

namespace ynet::ops::moe {

inline constexpr size_t kFirstExpertOperand = 4;  // x, lengths, gate_weights, noise_weights

// `operands` are the forward inputs (of the step, or recovered from a gradient step).
inline MoeShape shape_of(const ir::Node& n, const ir::Graph& g, const std::vector<int>& operands) {
  const ir::Value& x = g.value(operands.at(0));
  MoeShape s;
  s.batch = x.shape.at(0);
  s.time = x.shape.size() == 3 ? x.shape.at(1) : 1;
  s.input = x.shape.back();
  s.experts = ir::attr_int(n.attrs, "experts", 1);
  s.top_k = ir::attr_int(n.attrs, "top_k", 1);
  s.noisy = ir::attr_bool(n.attrs, "noisy", true);
  s.w_importance = ir::attr_double(n.attrs, "w_importance", 0.1);
  s.w_load = ir::attr_double(n.attrs, "w_load", 0.1);
  const auto& units = std::get<std::vector<int64_t>>(n.attrs.at("expert_units"));
  std::stringstream activations(ir::attr_string(n.attrs, "expert_activations", ""));
  std::string activation;
  for (size_t j = 0; j < units.size(); ++j) {
    std::getline(activations, activation, ',');
    const bool bias = operands.at(kFirstExpertOperand + 2 * j + 1) >= 0;
    s.expert.push_back({units[j], activation_kind(activation.empty() ? "none" : activation), bias});
  }
  s.validate();
  return s;
}

}  // namespace ynet::ops::moe
