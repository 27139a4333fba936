// Optimizers and learning-rate schedules of the `train { }` block, declared like layers so that they
// are checked, documented and listed by `ynet help layers` the same way.
#include "ops/registry.h"

#include "ops/support/def_support.h"

namespace ynet::ops::optim {
namespace {

OpDef config(std::string name, std::string category, std::string doc, std::vector<ArgDef> args) {
  OpDef d;
  d.name = std::move(name);
  d.category = std::move(category);
  d.doc = std::move(doc);
  d.args = std::move(args);
  return d;
}

std::vector<OpDef> optimizer_defs() {
  return {
      config("RMSProp", "optimizer",
             "RMSProp as TensorFlow 1 defines it: ms <- decay*ms + (1-decay)*g^2 (ms starts at 1), "
             "mom <- momentum*mom + lr*g/sqrt(ms + epsilon), w <- w - mom.",
             {float_arg("lr", 1e-3, greater_than(0), "base learning rate"),
              float_arg("decay", 0.9, fraction_below_one(), "decay of the mean square"),
              float_arg("momentum", 0.0, fraction_below_one(), "momentum"),
              float_arg("epsilon", 1e-10, greater_than(0), "added to the mean square")}),
      config("Adam", "optimizer", "Adam (Kingma & Ba) with bias correction.",
             {float_arg("lr", 1e-3, greater_than(0), "base learning rate"),
              float_arg("beta1", 0.9, fraction_below_one(), "decay of the first moment"),
              float_arg("beta2", 0.999, fraction_below_one(), "decay of the second moment"),
              float_arg("epsilon", 1e-8, greater_than(0), "added to the root of the second moment")}),
      config("SGD", "optimizer", "Stochastic gradient descent with optional (Nesterov) momentum.",
             {float_arg("lr", 0.01, greater_than(0), "base learning rate"),
              float_arg("momentum", 0.0, fraction_below_one(), "momentum"),
              bool_arg("nesterov", false, "Nesterov momentum")}),
  };
}

std::vector<OpDef> schedule_defs() {
  return {
      config("Constant", "schedule", "The learning rate stays at the optimizer's lr.", {}),
      config("StepDecay", "schedule",
             "lr * factor^floor(samples / every): the rate drops by `factor` after every `every` "
             "training samples (the paper's schedule).",
             {samples_arg("every", "samples between drops (`N samples` or `N steps`)"),
              float_arg("factor", 0.95, fraction_above_zero(), "multiplier per drop")}),
      config("ExponentialDecay", "schedule",
             "lr * factor^(samples / every): a smooth decay with the same rate as StepDecay.",
             {samples_arg("every", "samples per factor (`N samples` or `N steps`)"),
              float_arg("factor", 0.95, fraction_above_zero(), "multiplier per `every` samples")}),
  };
}

}  // namespace

std::vector<OpDef> defs() {
  std::vector<OpDef> out = optimizer_defs();
  for (OpDef& d : schedule_defs()) out.push_back(std::move(d));
  return out;
}

}  // namespace ynet::ops::optim
