#pragma once
// Signature, documentation, shape rule and parameter rule of this op (see runtime/ops/registry.h).
#include "runtime/ops/registry.h"

namespace ynet::ops {

OpDef time_weighted_sum_def();

}  // namespace ynet::ops
