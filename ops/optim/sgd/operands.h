#pragma once
// SGD's step "SGD": the fused update's operands (ops/optim/update/operands.h), slot0 the
// accumulation (absent without momentum); attributes momentum, nesterov.
#include "ops/optim/sgd/sgd.h"
#include "plan/graph.h"

namespace ynet::ops::optim::sgd {

inline SgdSettings settings_of(const ir::Node& n) {
  SgdSettings s;
  s.momentum = ir::attr_double(n.attrs, "momentum", s.momentum);
  s.nesterov = ir::attr_double(n.attrs, "nesterov", 0) != 0;  // optimizer arguments are numbers in the plan
  return s;
}

}  // namespace ynet::ops::optim::sgd
