// L2Normalize bound to the host backends. Operands: see lower.cpp; the same step normalises the
// model's input when the spec says `normalize: l2`. Rows are the last axis: per frame for sequences.
#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/l2_normalize/cpu.h"
#include "ops/l2_normalize/operands.h"
#include "ops/l2_normalize/reference.h"

namespace ynet::ops::l2_normalize {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const L2NormalizeShape s = shape_of(b.value(n.inputs.at(0)));
    const double epsilon = epsilon_of(n);
    const double* x = b.f(n.inputs[0]);
    double* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(s, epsilon, x, y); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const L2NormalizeShape s = shape_of(b.value(g.input_grad(0)));
    const double epsilon = epsilon_of(n);
    const double *x = b.f(g.forward_input(0)), *dy = b.f(g.output_grad(0));
    double* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::backward(s, epsilon, x, dy, dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    auto kernel = std::make_shared<cpu::Kernel>(shape_of(b.value(n.inputs.at(0))), epsilon_of(n));
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, y); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    auto kernel = std::make_shared<cpu::Kernel>(shape_of(b.value(g.input_grad(0))), epsilon_of(n));
    const float *x = b.f(g.forward_input(0)), *dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(x, dy, dx); });
  };
}

}  // namespace ynet::ops::l2_normalize
