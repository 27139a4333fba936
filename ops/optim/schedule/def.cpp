// The learning-rate schedules of the `train { }` block, declared like layers so that they are
// checked, documented and listed by `ynet help layers` the same way. The trainer computes the rate
// (schedule.h); no plan step runs them.
#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::optim::schedule {

std::vector<OpDef> defs() {
  return {
      config_def("Constant", "schedule", "The learning rate stays at the optimizer's lr.", {}),
      config_def("StepDecay", "schedule",
                 "lr * factor^floor(samples / every): the rate drops by `factor` after every `every` "
                 "training samples (the paper's schedule).",
                 {samples_arg("every", "samples between drops (`N samples` or `N steps`)"),
                  float_arg("factor", 0.95, fraction_above_zero(), "multiplier per drop")}),
      config_def("ExponentialDecay", "schedule",
                 "lr * factor^(samples / every): a smooth decay with the same rate as StepDecay.",
                 {samples_arg("every", "samples per factor (`N samples` or `N steps`)"),
                  float_arg("factor", 0.95, fraction_above_zero(), "multiplier per `every` samples")}),
  };
}

}  // namespace ynet::ops::optim::schedule
