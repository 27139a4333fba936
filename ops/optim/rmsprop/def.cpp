#include "ops/optim/rmsprop/rmsprop.h"
#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::optim::rmsprop {

std::vector<OpDef> defs() {
  OpDef d = config_def("RMSProp", "optimizer",
                       "RMSProp as TensorFlow 1 defines it: ms <- decay*ms + (1-decay)*g^2 (ms starts at 1), "
                       "mom <- momentum*mom + lr*g/sqrt(ms + epsilon), w <- w - mom.",
                       {float_arg("lr", 1e-3, greater_than(0), "base learning rate"),
                        float_arg("decay", 0.9, fraction_below_one(), "decay of the mean square"),
                        float_arg("momentum", 0.0, fraction_below_one(), "momentum"),
                        float_arg("epsilon", 1e-10, greater_than(0), "added to the mean square")});
  // TensorFlow 1 starts the mean square at one; the momentum slot exists only with momentum.
  d.optimizer_slots = [](const std::map<std::string, double>& args) {
    OptimizerSlots slots{{"ms", "ones"}};
    if (args.contains("momentum") && args.at("momentum") != 0) slots.emplace_back("mom", "zeros");
    return slots;
  };
  return {d};
}

}  // namespace ynet::ops::optim::rmsprop
