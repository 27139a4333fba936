#pragma once
// The L2Normalize step, for the L2Normalize layer and for layers built from it (NetVLAD's
// intra-normalisation per cluster and its global normalisation).
#include <cstdint>

#include "ops/support/lower_support.h"

namespace ynet::ops::l2_normalize {

// Normalises every run of `group` consecutive values of x (0: its last axis, i.e. every row or
// frame). Returns y, shaped like x.
int emit(LowerContext& ctx, Part part, int x, int64_t group = 0);

}  // namespace ynet::ops::l2_normalize
