#pragma once
// `ynet verify`: is a backend right for this spec? Two checks on the same random parameters and
// batch: (1) the reference backend's gradients against central finite differences of its own loss,
// in double; (2) the tested backend's loss, outputs and gradients against the reference's.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::verify {

struct Options {
  std::string backend = "cpu";
  uint64_t seed = 1;
  int samples = 3;               // random directions probed per parameter tensor
  double step = 1e-4;            // finite-difference step, relative to max(1, max |p|)
  double fd_tolerance = 1e-4;    // reference gradient vs finite differences (kinks: ReLU, max, top-k)
  double tolerance = 1e-4;       // tested backend vs reference, relative to the tensor's largest value
  // A gradient is compared relative to at least this share of the largest gradient of any
  // parameter: a gradient that is zero in exact arithmetic is rounding noise in both backends.
  double gradient_floor = 1e-2;
};

struct Check {
  std::string tensor;
  std::string kind;  // "finite differences", "loss", "gradient", "output"
  double error = 0;
  double tolerance = 0;
  bool passed() const { return error <= tolerance; }
};

struct Report {
  std::vector<Check> checks;
  bool passed() const;
  std::string table() const;
};

// `train_plan` must be a train plan (it has a loss and gradients).
Report run(const plan::Plan& train_plan, const Options& options);

}  // namespace ynet::verify
