#pragma once
// Adam's step "Adam": the fused update's operands (ops/optim/update/operands.h), slot0 the first
// moment and slot1 the second; attributes beta1, beta2, epsilon.
#include "ops/optim/adam/adam.h"
#include "plan/graph.h"

namespace ynet::ops::optim::adam {

inline AdamSettings settings_of(const ir::Node& n) {
  AdamSettings s;
  s.beta1 = ir::attr_double(n.attrs, "beta1", s.beta1);
  s.beta2 = ir::attr_double(n.attrs, "beta2", s.beta2);
  s.epsilon = ir::attr_double(n.attrs, "epsilon", s.epsilon);
  return s;
}

}  // namespace ynet::ops::optim::adam
