#pragma once
// The layout of a run directory, written by `ynet train` and read by `ynet eval` and `ynet predict`:
//   spec.ynet          the spec as run (--set overrides written into its params)
//   plan.train.pb      the training plan; plan.infer.pb the inference plan; plan.txt a readable listing
//   label_counts.csv   the counts a class-balanced loss used
//   metrics.jsonl, curves.svg, events.out.tfevents.*   the run's log (see run_log.h)
//   checkpoints/ckpt-<step>.pb                          the last few checkpoints
#include <string>

namespace ynet::train {

inline constexpr const char* kTrainPlanFile = "plan.train.pb";
inline constexpr const char* kInferPlanFile = "plan.infer.pb";

struct RunLocation {
  std::string run_dir;
  std::string checkpoint;
};

// A run directory (its newest checkpoint) or a checkpoint file inside one. Throws
// std::runtime_error with a message for the user when neither fits.
RunLocation locate_run(const std::string& path);

// True when `dir` already holds a run's files (checkpoints or a metrics log).
bool holds_run(const std::string& dir);

}  // namespace ynet::train
