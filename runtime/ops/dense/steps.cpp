// Dense bound to the host backends. Operands: see lower.cpp.
#include "runtime/backend/step_support.h"
#include "runtime/backend/step_tables.h"
#include "runtime/ops/dense/cpu.h"
#include "runtime/ops/dense/reference.h"

namespace ynet::ops::dense {
namespace {

DenseShape shape_of(const ir::Graph& g, int x, int w, bool has_bias) {
  const ir::Value& wv = g.value(w);
  DenseShape s;
  s.inputs = static_cast<size_t>(wv.shape.at(0));
  s.outputs = static_cast<size_t>(wv.shape.at(1));
  s.rows = static_cast<size_t>(g.value(x).elements()) / s.inputs;
  s.has_bias = has_bias;
  return s;
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Dense"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const DenseShape s = shape_of(b.plan().graph, n.inputs[0], n.inputs[1], n.inputs[2] >= 0);
    const ActivationKind act = runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none"));
    const double *x = b.f(n.inputs[0]), *w = b.f(n.inputs[1]), *bias = b.f(n.inputs[2]);
    double* y = b.f(n.outputs[0]);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(s, act, x, w, bias, y); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const DenseShape s = shape_of(b.plan().graph, g.forward_input(0), g.forward_input(1), g.input_grad(2) >= 0);
    const ActivationKind act = runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none"));
    const double *x = b.f(g.forward_input(0)), *w = b.f(g.forward_input(1)), *y = b.f(g.forward_output(0)),
                 *dy = b.f(g.output_grad(0));
    double *dx = b.f(g.input_grad(0)), *dw = b.f(g.input_grad(1)), *db = b.f(g.input_grad(2));
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::backward(s, act, x, w, y, dy, dx, dw, db); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Dense"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const DenseShape s = shape_of(b.plan().graph, n.inputs[0], n.inputs[1], n.inputs[2] >= 0);
    const ActivationKind act = runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none"));
    auto kernel = std::make_shared<cpu::Kernel>(s, act, *b.engine);
    const float *x = b.f(n.inputs[0]), *w = b.f(n.inputs[1]), *bias = b.f(n.inputs[2]);
    float* y = b.f(n.outputs[0]);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, w, bias, y, *stream); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const DenseShape s = shape_of(b.plan().graph, g.forward_input(0), g.forward_input(1), g.input_grad(2) >= 0);
    const ActivationKind act = runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none"));
    auto kernel = std::make_shared<cpu::Kernel>(s, act, *b.engine);
    auto workspace = std::make_shared<std::vector<float>>(kernel->workspace_bytes() / sizeof(float) + 1);
    const float *x = b.f(g.forward_input(0)), *w = b.f(g.forward_input(1)), *y = b.f(g.forward_output(0)),
                *dy = b.f(g.output_grad(0));
    float *dx = b.f(g.input_grad(0)), *dw = b.f(g.input_grad(1)), *db = b.f(g.input_grad(2));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->backward(x, w, y, dy, dx, dw, db, workspace->data(), *stream);
    });
  };
}

}  // namespace ynet::ops::dense
