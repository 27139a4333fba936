#pragma once
// L2 weight decay as a loss term, as the starter code's l2_regularizer adds it:
// penalty = l2 * sum(w^2) / 2 over the given weights. Step "L2Penalty": inputs (weights...),
// outputs (a scalar); its gradient adds l2 * w to each weight's gradient.
#include <vector>

#include "ops/lowering.h"

namespace ynet::ops {

void add_l2_penalty(LowerContext& ctx, const std::vector<int>& weights, double l2);

}  // namespace ynet::ops
