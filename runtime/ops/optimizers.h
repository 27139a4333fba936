#pragma once
// Optimizers and learning-rate schedules of the `train { }` block, declared like layers so that they
// are checked, documented and listed by `ynet help layers` the same way.
#include <vector>

#include "runtime/ops/registry.h"

namespace ynet::ops {

std::vector<OpDef> optimizer_defs();
std::vector<OpDef> schedule_defs();

}  // namespace ynet::ops
