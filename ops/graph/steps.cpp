// Steps that belong to the graph rather than to a layer: the loss sum and gradient accumulation.
#include "ops/graph/operands.h"
#include "ops/op.h"

namespace ynet::ops::graph {

using runtime::Buffers;
using runtime::make_step;
using runtime::StepContext;
using runtime::StepTable;
namespace {

template <class T>
void add_steps(StepTable<T>& table) {
  table["LossSum"] = [](const ir::Node& node, Buffers<T>& b) {
    const LossSumOperands o(node, b);
    return make_step([o](const StepContext&) {
      double sum = 0;
      for (const T* t : o.terms) sum += static_cast<double>(*t);
      *o.loss = static_cast<T>(sum);
    });
  };
  table["LossSum.grad"] = [](const ir::Node& node, Buffers<T>& b) {
    const LossSumGradOperands o(node, b);
    return make_step([o](const StepContext&) {
      for (T* g : o.term_grads) *g = T(1);
    });
  };
  table["AddGrad"] = [](const ir::Node& node, Buffers<T>& b) {
    const AddGradOperands o(node, b);
    return make_step([o](const StepContext&) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < o.count; ++i) o.sum[i] = o.a[i] + o.b[i];
    });
  };
}

}  // namespace

void add_reference_steps(StepTable<double>& table) { add_steps(table); }
void add_cpu_steps(StepTable<float>& table) { add_steps(table); }

}  // namespace ynet::ops::graph
