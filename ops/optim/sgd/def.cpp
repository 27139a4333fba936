#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::optim::sgd {

std::vector<OpDef> defs() {
  OpDef d = config_def("SGD", "optimizer", "Stochastic gradient descent with optional (Nesterov) momentum.",
                       {float_arg("lr", 0.01, greater_than(0), "base learning rate"),
                        float_arg("momentum", 0.0, fraction_below_one(), "momentum"),
                        bool_arg("nesterov", false, "Nesterov momentum")});
  // The accumulation slot exists only with momentum.
  d.optimizer_slots = [](const std::map<std::string, double>& args) {
    if (args.contains("momentum") && args.at("momentum") != 0) return OptimizerSlots{{"mom", "zeros"}};
    return OptimizerSlots{};
  };
  return {d};
}

}  // namespace ynet::ops::optim::sgd
