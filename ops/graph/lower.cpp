// No layer lowers to the graph's own steps: compile() emits LossSum, and the autodiff pass emits
// LossSum.grad (its seed) and AddGrad (the sum of a value's gradient contributions) itself.
#include "ops/lowering.h"

namespace ynet::ops::graph {

OpLowering lowering() { return {}; }

}  // namespace ynet::ops::graph
