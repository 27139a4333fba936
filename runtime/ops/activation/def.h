#pragma once
// Element-wise activations as layers of their own: Relu, Sigmoid, Tanh (see runtime/ops/registry.h).
#include <vector>

#include "runtime/ops/registry.h"

namespace ynet::ops {

std::vector<OpDef> activation_defs();

}  // namespace ynet::ops
