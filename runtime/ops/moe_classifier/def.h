#pragma once
// Signature, documentation, shape rule and parameter rule of this op (see runtime/ops/registry.h).
#include "runtime/ops/registry.h"

namespace ynet::ops {

OpDef moe_classifier_def();

}  // namespace ynet::ops
