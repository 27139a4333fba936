#include "ops/step_tables.h"

#include "ops/all_ops.h"

#define YNET_DECLARE_HOST_STEPS(name, def, lower, steps)                            \
  YNET_IF_PART(steps, namespace ynet::ops::name {                                   \
    void add_reference_steps(::ynet::runtime::StepTable<double>& table);            \
    void add_cpu_steps(::ynet::runtime::StepTable<float>& table);                   \
  })
YNET_OPS(YNET_DECLARE_HOST_STEPS)
#undef YNET_DECLARE_HOST_STEPS

namespace ynet::runtime {

const StepTable<double>& reference_steps() {
  static const StepTable<double> table = [] {
    StepTable<double> t;
#define YNET_ADD(name, def, lower, steps) YNET_IF_PART(steps, ::ynet::ops::name::add_reference_steps(t);)
    YNET_OPS(YNET_ADD)
#undef YNET_ADD
    return t;
  }();
  return table;
}

const StepTable<float>& cpu_steps() {
  static const StepTable<float> table = [] {
    StepTable<float> t;
#define YNET_ADD(name, def, lower, steps) YNET_IF_PART(steps, ::ynet::ops::name::add_cpu_steps(t);)
    YNET_OPS(YNET_ADD)
#undef YNET_ADD
    return t;
  }();
  return table;
}

}  // namespace ynet::runtime
