#pragma once
// The auxiliary losses (moe_shape.h) of a whole batch from the per-expert sums one process formed
// over its rows, for the reference and the oneDNN kernels.
//
// Under data parallelism (runtime::BatchSlice) each of R ranks holds G/R of the G rows. Importance
// and Load are sums over the global batch, so the ranks sum their partial sums first; every rank
// then computes the same losses, and reporting them as each rank's aux loss makes the mean of the
// ranks' losses the single process's loss (the cross-entropy, a mean over each rank's rows, averages
// to the global mean by itself). The trainer averages the ranks' parameter gradients, so each rank
// must produce R times the global loss's gradient restricted to its rows: the cross-entropy's mean
// over G/R rows does so by itself, and the aux losses' gradient, computed from the global sums, is
// multiplied by R (aux_gradient_scale).
#include <vector>

#include "ops/moe/gating.h"
#include "ops/moe/moe_shape.h"
#include "ops/support/batch_collectives.h"

namespace ynet::ops::moe {

// Turns this process's importance and load into the global batch's and returns the losses.
inline Losses batch_losses(const MoeShape& s, const runtime::BatchSlice& slice, std::vector<double>& importance,
                           std::vector<double>& load) {
  if (slice.distributed()) {
    slice.collectives->sum(importance.data(), importance.size());
    if (s.has_load_loss()) slice.collectives->sum(load.data(), load.size());
  }
  Losses losses;
  losses.importance = s.w_importance * gating::cv_squared(importance);
  if (s.has_load_loss()) losses.load = s.w_load * gating::cv_squared(load);
  return losses;
}

// What the aux losses' gradient is multiplied by: R, the ranks sharing the batch (1 alone).
inline double aux_gradient_scale(const MoeShape& s, const runtime::BatchSlice& slice) {
  return slice.ranks(s.batch);
}

}  // namespace ynet::ops::moe
