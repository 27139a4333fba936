#include "ops/registry.h"
#include "ops/support/def_support.h"

namespace ynet::ops::optim::adam {

std::vector<OpDef> defs() {
  OpDef d = config_def("Adam", "optimizer", "Adam (Kingma & Ba) with bias correction.",
                       {float_arg("lr", 1e-3, greater_than(0), "base learning rate"),
                        float_arg("beta1", 0.9, fraction_below_one(), "decay of the first moment"),
                        float_arg("beta2", 0.999, fraction_below_one(), "decay of the second moment"),
                        float_arg("epsilon", 1e-8, greater_than(0), "added to the root of the second moment")});
  d.optimizer_slots = [](const std::map<std::string, double>&) { return OptimizerSlots{{"m", "zeros"}, {"v", "zeros"}}; };
  return {d};
}

}  // namespace ynet::ops::optim::adam
