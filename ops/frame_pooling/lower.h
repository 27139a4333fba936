#pragma once
// The FramePooling step, for the FramePooling layer and for layers built from it (SoftDBoW sums
// its soft assignments over the frames).
#include <string>

#include "ops/support/lower_support.h"

namespace ynet::ops::frame_pooling {

// Pools x [B, T, F] over its valid frames (ctx.lengths) with mode = max | mean | sum. Returns y [B, F].
int emit(LowerContext& ctx, Part part, int x, const std::string& mode);

}  // namespace ynet::ops::frame_pooling
