#pragma once
// Every host backend's step table, generated from the op list (ops/all_ops.h): step op name ->
// factory that binds one step of a plan.
#include "ops/op.h"

namespace ynet::runtime {

const StepTable<double>& reference_steps();
const StepTable<float>& cpu_steps();

}  // namespace ynet::runtime
