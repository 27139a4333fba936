#pragma once
// RMSProp's step "RMSProp": the fused update's operands (ops/optim/update/operands.h), slot0 the
// mean square and slot1 the momentum (absent without momentum); attributes decay, momentum, epsilon.
#include "ops/optim/rmsprop/rmsprop.h"
#include "plan/graph.h"

namespace ynet::ops::optim::rmsprop {

inline RmsPropSettings settings_of(const ir::Node& n) {
  RmsPropSettings s;
  s.decay = ir::attr_double(n.attrs, "decay", s.decay);
  s.momentum = ir::attr_double(n.attrs, "momentum", s.momentum);
  s.epsilon = ir::attr_double(n.attrs, "epsilon", s.epsilon);
  return s;
}

}  // namespace ynet::ops::optim::rmsprop
