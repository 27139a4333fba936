#pragma once
// The bridge between the data pipeline and a bound plan: the dataset configuration a plan implies,
// and copying a decoded batch into the plan's input buffers (dense multi-hot labels), reusing its
// host buffers so that a training step allocates nothing.
#include <string>
#include <vector>

#include "plan/plan.h"
#include "runtime/backend/backend.h"
#include "runtime/data/batch.h"
#include "runtime/data/dataset_config.h"
#include "runtime/train/random_batch.h"

namespace ynet::train {

// Features, frames, keys and classes from the plan; normalisation is left to the plan's own
// L2Normalize step so that it shows in the plan and runs on the model's backend.
data::DatasetConfig dataset_config(const plan::Plan& plan, const std::string& globs);

class BatchFeeder {
 public:
  explicit BatchFeeder(const plan::Plan& plan);
  // Writes the batch; rows past batch.count (a short last batch) are zeros (data::Batch) of length 1
  // with no labels. Frames held as stored bytes are lent (Backend::lend): keep the batch as it is
  // until the step has run.
  // Throws std::invalid_argument if the batch's layout differs from the plan's.
  void write(const data::Batch& batch, runtime::Backend& backend);

 private:
  PlanInputs inputs_;
  int64_t batch_ = 0, frames_ = 1, features_ = 0, classes_ = 0;
  bool stored_bytes_ = false;  // the plan's frames are u8 (compiler::pool_stored_frames)
  std::vector<float> labels_buffer_;
  std::vector<int32_t> lengths_buffer_;
};

}  // namespace ynet::train
