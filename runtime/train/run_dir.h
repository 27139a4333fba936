#pragma once
// The layout of a run directory, written by the trainer (train()) and read by `ynet eval` and
// `ynet predict`:
//   spec.ynet          the spec as run (--set overrides written into its params)
//   plan.train.pb      the training plan; plan.infer.pb the inference plan; plan.txt a readable listing
//   label_counts.csv   the counts a class-balanced loss used
//   metrics.jsonl, curves.svg, events.out.tfevents.*   the run's log (see run_log.h)
//   checkpoints/ckpt-<step>.pb                          the last few checkpoints
//   run.lock           held (flock) by the trainer for the run's lifetime; holds its process id
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::train {

inline constexpr const char* kTrainPlanFile = "plan.train.pb";
inline constexpr const char* kInferPlanFile = "plan.infer.pb";
inline constexpr const char* kLockFile = "run.lock";

struct RunLocation {
  std::string run_dir;
  // Newest first: every checkpoint of a run directory, so that a damaged newest one can fall back
  // to an older one; only the named file when a checkpoint file was given.
  std::vector<std::string> checkpoints;
};

// A run directory (its checkpoints) or a checkpoint file inside one. Throws std::runtime_error
// with a message for the user when neither fits, saying what the path is instead.
RunLocation locate_run(const std::string& path);

// True when `dir` already holds a run's files (checkpoints or a metrics log that is not empty).
bool holds_run(const std::string& dir);

// Another trainer holds the run directory.
struct RunLocked : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An exclusive lock on a run directory for the lifetime of the object (flock on run.lock, released
// by the kernel however the process ends). The directory is created if need be.
class RunLock {
 public:
  // Throws RunLocked at once, naming the holder's process id, when another process holds it.
  explicit RunLock(const std::string& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// What the run directory keeps beside its log and checkpoints; written only once the run has been
// validated (the checkpoint to resume loaded, the data found), so a failed start changes nothing.
struct RunFiles {
  std::string spec_as_run;           // the text of spec.ynet
  std::vector<int64_t> label_counts;  // label_counts.csv; empty: none
};
void write_run_files(const std::string& dir, const RunFiles& files, const plan::Plan& train_plan,
                     const plan::Plan& infer_plan);

// For starting over (--force): removes the checkpoints, metrics.jsonl, curves.svg and the event files.
void clear_run(const std::string& dir);

}  // namespace ynet::train
