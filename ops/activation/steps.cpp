// Activation bound to the host backends. Operands: see lower.cpp.
#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/activation/cpu.h"
#include "ops/activation/reference.h"

namespace ynet::ops::activation {
namespace {

ActivationKind kind_of(const ir::Node& n) { return activation_kind(ir::attr_string(n.attrs, "kind", "none")); }

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Activation"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ActivationKind kind = kind_of(n);
    const auto count = static_cast<size_t>(b.elements(n.inputs.at(0)));
    const double* x = b.f(n.inputs[0]);
    double* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(kind, x, y, count); });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const ActivationKind kind = kind_of(n);
    const auto count = static_cast<size_t>(b.elements(g.forward_output(0)));
    const double *y = b.f(g.forward_output(0)), *dy = b.f(g.output_grad(0));
    double* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::backward(kind, y, dy, dx, count); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Activation"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const auto count = static_cast<size_t>(b.elements(n.inputs.at(0)));
    auto kernel = std::make_shared<cpu::Kernel>(kind_of(n), count, *b.engine);
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, y, *stream); });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const auto count = static_cast<size_t>(b.elements(g.forward_output(0)));
    auto kernel = std::make_shared<cpu::Kernel>(kind_of(n), count, *b.engine);
    const float *y = b.f(g.forward_output(0)), *dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(y, dy, dx, *stream); });
  };
}

}  // namespace ynet::ops::activation
