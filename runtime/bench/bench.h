#pragma once
// `ynet bench`: per-step timings of a bound plan split by phase (like `caffe time`), samples/s for
// training and inference, and the achieved GFLOP/s against the plan's FLOP count. Random inputs:
// the data pipeline is measured on its own (bench/data).
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::bench {

struct Options {
  std::string backend = "cpu";
  int steps = 10;
  int warmup = 2;
  int threads = 0;
  uint64_t seed = 1;
  bool profile = false;  // also time every step on its own (synchronising after each)
};

struct PhaseTime {
  double median_ms = 0, min_ms = 0;
};

// One plan step's time in a profile.
struct StepTime {
  int node = 0;  // index into the plan's graph.nodes
  double median_ms = 0;
};

struct Result {
  PhaseTime forward, loss, backward, optimizer, train_step, inference;
  double train_samples_per_s = 0, inference_samples_per_s = 0;
  double train_gflops = 0, inference_gflops = 0;  // achieved GFLOP/s
  int64_t batch = 0;
  bool inference_int8 = false;  // the inference plan computes its Dense layers in int8
  std::vector<StepTime> train_profile, inference_profile;  // with Options::profile
};

// `train_plan` and `infer_plan` come from the same spec and batch size.
Result run(const plan::Plan& train_plan, const plan::Plan& infer_plan, const Options& options);
std::string format(const Result& result, const plan::Plan& train_plan, const std::string& backend);
// The profile: one line per step, slowest first, with its share of the step and its GFLOP/s.
std::string format_profile(const std::vector<StepTime>& steps, const plan::Plan& plan, const std::string& title);

}  // namespace ynet::bench
