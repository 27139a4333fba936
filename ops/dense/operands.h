#pragma once
// Reading a Dense step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>

#include "plan/graph.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense {

inline DenseShape shape_of(const ir::Graph& g, int x, int w, bool has_bias) {
  const ir::Value& wv = g.value(w);
  DenseShape s;
  s.inputs = static_cast<size_t>(wv.shape.at(0));
  s.outputs = static_cast<size_t>(wv.shape.at(1));
  s.rows = static_cast<size_t>(g.value(x).elements()) / s.inputs;
  s.has_bias = has_bias;
  return s;
}

}  // namespace ynet::ops::dense
