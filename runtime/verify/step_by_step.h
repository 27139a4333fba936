#pragma once
// Kernel by kernel: a backend against the double-precision reference one plan step at a time. Both
// run the same plan on the same parameters and batch; before each step the tested backend is given
// the reference's values of the step's float inputs, so every kernel is judged on identical inputs
// and the first wrong kernel is named, not the loss it spoils many steps later. Run over the plans
// of every spec (tests/backend/test_backend_ops.cpp) it checks every step op of the op list, forward,
// backward and optimizer, at the specs' shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "runtime/backend/backend.h"

namespace ynet::verify {

struct StepCheck {
  int step = 0;          // index into plan.graph.nodes
  std::string op;
  std::string layer;
  double error = 0;      // worst over the step's float outputs (see compare_steps)
  double tolerance = 0;
  bool passed() const { return error <= tolerance; }
};

struct StepReport {
  std::string backend;
  std::vector<StepCheck> steps;
  bool passed() const;
  std::string table() const;  // one line per step op: steps checked, worst error, tolerance
};

// Binds `plan` on `backend`, draws the parameters (train::initialize) and a batch
// (train::write_random_batch) from `seed`, and runs the prologue.
void prepare(runtime::Backend& backend, const plan::Plan& plan, uint64_t seed);

// Every step of every phase of `plan` on `backend` against the reference. A step's error is the
// largest difference in its float outputs over the larger of the output's largest magnitude and
// 1e-3 of its inputs' (an output that cancels to nearly zero, like the gradient of a BatchNorm
// shift that the next BatchNorm removes, is then judged at the scale of what produced it).
StepReport compare_steps(const plan::Plan& plan, const std::string& backend, uint64_t seed, double tolerance);

}  // namespace ynet::verify
