// Steps that belong to the graph rather than to a layer: the loss sum and gradient accumulation.
#include <algorithm>

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
    std::vector<const T*> terms;
    for (int v : node.inputs) terms.push_back(b.f(v));
    T* loss = b.f(node.outputs.at(0));
    return make_step([terms, loss](const StepContext&) {
      double sum = 0;
      for (const T* t : terms) sum += static_cast<double>(*t);
      *loss = static_cast<T>(sum);
    });
  };
  table["LossSum.grad"] = [](const ir::Node& node, Buffers<T>& b) {
    std::vector<T*> grads;
    for (int v : node.outputs)
      if (v >= 0) grads.push_back(b.f(v));
    return make_step([grads](const StepContext&) {
      for (T* g : grads) *g = T(1);
    });
  };
  table["AddGrad"] = [](const ir::Node& node, Buffers<T>& b) {
    const T* a = b.f(node.inputs.at(0));
    const T* c = b.f(node.inputs.at(1));
    T* out = b.f(node.outputs.at(0));
    const int64_t n = b.elements(node.outputs.at(0));
    return make_step([a, c, out, n](const StepContext&) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] + c[i];
    });
  };
}

}  // namespace

void add_reference_steps(StepTable<double>& table) { add_steps(table); }
void add_cpu_steps(StepTable<float>& table) { add_steps(table); }

}  // namespace ynet::ops::graph
