#pragma once
// The training loop behind `ynet train`: stream batches into the bound train plan, apply the
// schedule (decay counted in samples), evaluate on the validation data every eval_every steps,
// checkpoint atomically, and stop cleanly on SIGINT/SIGTERM or on a non-finite loss.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "runtime/dist/collectives.h"
#include "runtime/train/run_dir.h"

namespace ynet::train {

struct TrainOptions {
  std::string train_data;      // globs
  std::string valid_data;      // globs; empty: no evaluation
  std::string out_dir;
  std::string backend = "cpu";
  int64_t steps = 0;           // 0: the spec's
  int64_t eval_every = 0;      // 0: the spec's
  int64_t eval_videos = 0;     // 0: every validation video
  bool resume = false;
  bool force = false;          // start over in a directory that holds another run
  int threads = 0;             // compute threads; 0: every core
  int data_threads = 1;        // decoding threads
  int keep_checkpoints = 3;
  bool verify_crc = true;
  bool skip_corrupt = false;
  RunFiles run_files;          // the spec as run and the label counts (a class-balanced loss)
  // Data-parallel training: the ranks of the job (null: one process). The plans' batch is then
  // one rank's slice of the global batch; rank 0 writes the run directory and evaluates.
  dist::Collectives* collectives = nullptr;
};

struct TrainSummary {
  int64_t steps = 0, samples = 0;
  double seconds = 0, samples_per_second = 0;
  double last_loss = 0;
  bool interrupted = false;
  int stop_signal = 0;             // the signal that interrupted the run (SIGINT, SIGTERM)
  bool already_finished = false;   // --resume of a run that had reached its last step: nothing done
  uint64_t skipped_records = 0;    // damaged training records skipped (skip_corrupt)
  uint64_t skipped_bytes = 0;
  std::string skipped_summary;      // data::SkipReport::summary() of the training data ("" if none)
  std::string last_checkpoint;
  std::map<std::string, double> last_eval;
  // Data-parallel runs: what the gradient all-reduce moved and how long rank 0 waited for it
  // after the backward pass ("" in one process).
  std::string all_reduce_summary;
};

// Takes the run directory's lock, validates everything (the run directory against --resume and
// --force, the checkpoint to resume, the training and validation data) and only then writes the
// run's files, so a failed start leaves the directory as it was. A stop request (SIGINT, SIGTERM:
// runtime/data/stop_request.h) finishes the step, checkpoints and returns.
// Throws std::runtime_error (with a message for the user) on bad data, a non-finite loss (naming
// the step and the tensor) or I/O failure; the last good checkpoint stays. RunLocked when another
// trainer holds the directory. With several ranks, every rank calls it; rank 0 validates and writes
// everything, and the others end with the job when it fails (the caller aborts the job).
TrainSummary train(const plan::Plan& train_plan, const plan::Plan& infer_plan, const TrainOptions& options);

}  // namespace ynet::train
