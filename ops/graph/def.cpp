// The graph's own steps (LossSum, LossSum.grad, AddGrad) are emitted by the compiler, not written in
// specs: this folder declares no layer.
#include "ops/registry.h"

namespace ynet::ops::graph {

std::vector<OpDef> defs() { return {}; }

}  // namespace ynet::ops::graph
