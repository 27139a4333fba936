#pragma once
// A random batch for a plan's inputs: features in the dequantized range, lengths between 1 and
// max_frames (the first video full, one video of length 1 when the batch has room), a few positive
// labels per video. Used by `ynet verify` and `ynet bench`, where real data would only add noise.
#include <cstdint>
#include <vector>

#include "plan/plan.h"
#include "runtime/backend/backend.h"

namespace ynet::train {

struct PlanInputs {
  int features = -1, lengths = -1, labels = -1;  // buffer ids, -1 when the plan has no such input
};
PlanInputs find_inputs(const plan::Plan& plan);

void write_random_batch(const plan::Plan& plan, uint64_t seed, runtime::Backend& backend);

}  // namespace ynet::train
