#pragma once
// The Activation step, for the Relu/Sigmoid/Tanh layers and for layers built from one
// (ContextGating's sigmoid gate).
#include <string>

#include "ops/support/lower_support.h"

namespace ynet::ops::activation {

// y = kind(x) element-wise, kind = relu | sigmoid | tanh. Returns y.
int emit(LowerContext& ctx, Part part, int x, const std::string& kind);

}  // namespace ynet::ops::activation
