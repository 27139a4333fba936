#pragma once
// Reading a L2Normalize step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>

#include "plan/graph.h"
#include "ops/l2_normalize/reference.h"

namespace ynet::ops::l2_normalize {

inline L2NormalizeShape shape_of(const ir::Value& x) {
  L2NormalizeShape s;
  s.features = static_cast<size_t>(x.shape.empty() ? 1 : x.shape.back());
  s.rows = s.features == 0 ? 0 : static_cast<size_t>(x.elements()) / s.features;
  return s;
}

inline double epsilon_of(const ir::Node& n) { return ir::attr_double(n.attrs, "epsilon", kDefaultEpsilon); }

}  // namespace ynet::ops::l2_normalize
