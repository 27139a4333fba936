// Optimizers lower from the train block, not from a layer: compiler/passes/optimizer appends the
// clipping and update steps after the backward pass. They have no gradient.
#include "ops/lowering.h"

namespace ynet::ops::optim {

OpLowering lowering() { return {}; }

}  // namespace ynet::ops::optim
