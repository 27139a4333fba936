#include "ops/support/cuda/step_table.h"

#include "ops/all_ops.h"

#define YNET_DECLARE_CUDA_STEPS(name, def, lower, steps) \
  YNET_IF_PART(steps, namespace ynet::ops::name { void add_cuda_steps(::ynet::runtime::cuda::StepTable& table); })
YNET_OPS(YNET_DECLARE_CUDA_STEPS)
#undef YNET_DECLARE_CUDA_STEPS

namespace ynet::runtime::cuda {

const StepTable& cuda_steps() {
  static const StepTable table = [] {
    StepTable t;
#define YNET_ADD(name, def, lower, steps) YNET_IF_PART(steps, ::ynet::ops::name::add_cuda_steps(t);)
    YNET_OPS(YNET_ADD)
#undef YNET_ADD
    return t;
  }();
  return table;
}

}  // namespace ynet::runtime::cuda
