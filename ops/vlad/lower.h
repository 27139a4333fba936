#pragma once
// The VladAggregate step (reference.h), for NetVLAD, NetRVLAD and NeXtVLAD.
#include <cstdint>

#include "ops/support/lower_support.h"

namespace ynet::ops::vlad {

// v [B, K*F] from assignments a [B, T, G*K] and descriptors x [B, T, G*F]; centres [K, F] or -1.
int emit_aggregate(LowerContext& ctx, Part part, int a, int x, int centres, int64_t clusters);

}  // namespace ynet::ops::vlad
