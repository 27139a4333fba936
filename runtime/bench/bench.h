#pragma once
// `ynet bench`: per-step timings of a bound plan split by phase (like `caffe time`), samples/s for
// training and inference, and the achieved GFLOP/s against the plan's FLOP count. Random inputs:
// the data pipeline is measured on its own (bench/data).
#include <cstdint>
#include <string>

#include "compiler/plan/plan.h"

namespace ynet::bench {

struct Options {
  std::string backend = "cpu";
  int steps = 10;
  int warmup = 2;
  int threads = 0;
  uint64_t seed = 1;
};

struct PhaseTime {
  double median_ms = 0, min_ms = 0;
};

struct Result {
  PhaseTime forward, loss, backward, optimizer, train_step, inference;
  double train_samples_per_s = 0, inference_samples_per_s = 0;
  double train_gflops = 0, inference_gflops = 0;  // achieved GFLOP/s
  int64_t batch = 0;
};

// `train_plan` and `infer_plan` come from the same spec and batch size.
Result run(const plan::Plan& train_plan, const plan::Plan& infer_plan, const Options& options);
std::string format(const Result& result, const plan::Plan& train_plan, const std::string& backend);

}  // namespace ynet::bench
