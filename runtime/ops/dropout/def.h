#pragma once
// Signature, documentation, shape rule and parameter rule of this op (see runtime/ops/registry.h).
#include "runtime/ops/registry.h"

namespace ynet::ops {

OpDef dropout_def();

}  // namespace ynet::ops
