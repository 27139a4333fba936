#pragma once
// Reading a TimeWeightedSum step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "plan/graph.h"
#include "ops/time_weighted_sum/reference.h"

namespace ynet::ops::time_weighted_sum {

inline TimeWeightedSumShape shape_of(const ir::Node& n, const ir::Value& x) {
  if (x.shape.size() != 3) throw std::invalid_argument("TimeWeightedSum sums a [batch, time, features] sequence");
  TimeWeightedSumShape s{static_cast<size_t>(x.shape[0]), static_cast<size_t>(x.shape[1]),
                         static_cast<size_t>(x.shape[2]), 0};
  const int64_t max_frames = ir::attr_int(n.attrs, "max_frames", x.shape[1]);
  if (max_frames <= 0) throw std::invalid_argument("TimeWeightedSum needs a positive max_frames");
  s.max_frames = static_cast<size_t>(max_frames);
  return s;
}

inline Weighting weighting_of(const ir::Node& n) {
  const std::string w = ir::attr_string(n.attrs, "weights", "linear");
  if (w == "linear") return Weighting::linear;
  if (w == "uniform") return Weighting::uniform;
  throw std::invalid_argument("unknown TimeWeightedSum weights '" + w + "'");
}

}  // namespace ynet::ops::time_weighted_sum
