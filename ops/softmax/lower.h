#pragma once
// The Softmax step, for the Softmax layer and for layers built from it (NetVLAD's and NeXtVLAD's
// soft assignment to clusters).
#include <cstdint>

#include "ops/support/lower_support.h"

namespace ynet::ops::softmax {

// Softmax over every run of `width` consecutive values of x (0: its last axis). A sequence reads
// ctx.lengths, and its padded frames come out as 0. Returns y, shaped like x.
int emit(LowerContext& ctx, Part part, int x, int64_t width = 0);

}  // namespace ynet::ops::softmax
