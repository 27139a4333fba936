#pragma once
// Reading a MoeClassifier step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>

#include "plan/graph.h"
#include "ops/moe_classifier/classifier_shape.h"

namespace ynet::ops::moe_classifier {

inline ClassifierShape shape_of(const ir::Node& n, const ir::Graph& g, int x) {
  ClassifierShape s;
  s.batch = g.value(x).shape.at(0);
  s.input = g.value(x).shape.at(1);
  s.classes = ir::attr_int(n.attrs, "classes", 1);
  s.mixtures = ir::attr_int(n.attrs, "mixtures", 1);
  return s;
}

}  // namespace ynet::ops::moe_classifier
