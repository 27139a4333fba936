// SGD bound to the host backends.
#include "ops/op.h"
#include "ops/optim/sgd/operands.h"
#include "ops/optim/update/operands.h"

namespace ynet::ops::optim::sgd {
namespace {

template <class T>
void add_steps(runtime::StepTable<T>& table) {
  table["SGD"] = [](const ir::Node& n, runtime::Buffers<T>& b) {
    const SgdSettings s = settings_of(n);
    const UpdateOperands o(n, b);
    return runtime::make_step([s, o](const runtime::StepContext& ctx) {
      for (const auto& p : o.parameters)
        sgd_step<T>(s, ctx.learning_rate, static_cast<size_t>(p.count), p.grad, p.param, p.slot0);
    });
  };
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) { add_steps(table); }
void add_cpu_steps(runtime::StepTable<float>& table) { add_steps(table); }

}  // namespace ynet::ops::optim::sgd
