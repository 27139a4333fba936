#pragma once
// The Dense step, for the Dense layer and for layers built from it (NetVLAD's cluster
// projection, ContextGating's gate).
#include "ops/support/lower_support.h"

namespace ynet::ops::dense {

// y = activation(x W + b) over the rows of x ([B, F] or [B, T, F]); b = -1 for none. The activation
// is the part's "activation" attribute (none when absent). Returns y, [..., units].
int emit(LowerContext& ctx, const Part& part, int x, int w, int b);

}  // namespace ynet::ops::dense
