#pragma once
// The Multiply step, for the Multiply layer and for layers built from it (ContextGating's gating,
// NeXtVLAD's group attention).
#include "ops/support/lower_support.h"

namespace ynet::ops::multiply {

// y = a * b element-wise, where b has as many values as a or a divisor of that: each value of b
// then scales the run of a.elements / b.elements consecutive values of a that it stands for
// (NeXtVLAD: one attention weight [B, T, G] per group of K assignments [B, T, G*K]). Returns y,
// shaped like a.
int emit(LowerContext& ctx, const Part& part, int a, int b);

}  // namespace ynet::ops::multiply
