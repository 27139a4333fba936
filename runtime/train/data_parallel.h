#pragma once
// The trainer's side of data-parallel training: which rank writes, making every rank start from
// rank 0's state, and the two small all-reduces per step by which the ranks agree on stopping and
// on the loss. With no collectives (one process) every call is the single-process behaviour.
#include <cstdint>
#include <string>

#include "plan/plan.h"
#include "runtime/backend/backend.h"
#include "runtime/dist/collectives.h"

namespace ynet::train {

class DataParallel {
 public:
  explicit DataParallel(dist::Collectives* collectives) : collectives_(collectives) {}

  bool distributed() const { return collectives_ != nullptr; }
  int rank() const { return collectives_ ? collectives_->rank() : 0; }
  int ranks() const { return collectives_ ? collectives_->size() : 1; }
  // Rank 0 writes the run directory, checkpoints, logs and prints progress.
  bool writer() const { return rank() == 0; }
  dist::Collectives* collectives() const { return collectives_; }

  // This rank's rows of a global batch made of `ranks()` slices of `local_batch` rows.
  runtime::BatchSlice slice(int64_t local_batch) const;

  // Copies rank 0's parameters, optimizer state and model state into every rank's backend.
  void share_state(const plan::Plan& plan, runtime::Backend& backend) const;
  // Copies rank 0's values into every rank's.
  void share(int64_t* values, size_t count) const;
  void share(std::string& text) const;

  // Whether any rank wants to stop: every rank then leaves the loop at the same step.
  bool agree_to_stop(bool stop) const;
  // The mean of `value` over the ranks (the loss of the global batch from the slices' losses).
  double mean(double value) const;

 private:
  dist::Collectives* collectives_;
};

}  // namespace ynet::train
