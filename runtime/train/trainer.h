#pragma once
// The training loop behind `ynet train`: stream batches into the bound train plan, apply the
// schedule (decay counted in samples), evaluate on the validation data every eval_every steps,
// checkpoint atomically, and stop cleanly on SIGINT/SIGTERM or on a non-finite loss.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"

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
  int threads = 0;             // compute threads; 0: every core
  int data_threads = 1;        // decoding threads
  int keep_checkpoints = 3;
  bool verify_crc = true;
  bool skip_corrupt = false;
  std::vector<int64_t> label_counts;  // for a class-balanced loss; empty when the spec needs none
};

struct TrainSummary {
  int64_t steps = 0, samples = 0;
  double seconds = 0, samples_per_second = 0;
  double last_loss = 0;
  bool interrupted = false;
  std::string last_checkpoint;
  std::map<std::string, double> last_eval;
};

// Set from a signal handler: the loop finishes its step, checkpoints and returns.
extern std::atomic<bool> stop_requested;

// Throws std::runtime_error (with a message for the user) on bad data, a non-finite loss (naming
// the step and the tensor) or I/O failure; the last good checkpoint stays.
TrainSummary train(const plan::Plan& train_plan, const plan::Plan& infer_plan, const TrainOptions& options);

}  // namespace ynet::train
