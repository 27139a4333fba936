// The video-level MoE classifier bound to the host backends. Operands: see lower.cpp. Forward and
// backward share a kernel, which keeps the gate and expert probabilities.
#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/moe_classifier/cpu.h"
#include "ops/moe_classifier/operands.h"
#include "ops/moe_classifier/reference.h"

namespace ynet::ops::moe_classifier {

namespace {

template <class T>
Params<T> params_of(runtime::Buffers<T>& b, int gate, int experts, int bias) {
  return {b.f(gate), b.f(experts), b.f(bias)};
}

template <class T>
Grads<T> grads_of(runtime::Buffers<T>& b, const runtime::GradOperands& g) {
  return {b.f(g.input_grad(1)), b.f(g.input_grad(2)), b.f(g.input_grad(3))};
}


}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ClassifierShape s = shape_of(n, b.plan().graph, n.inputs[0]);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    const Params<double> p = params_of(b, n.inputs[1], n.inputs[2], n.inputs[3]);
    const double* x = b.f(n.inputs[0]);
    double* y = b.f(n.outputs[0]);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(p, x, y); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const ClassifierShape s = shape_of(n, b.plan().graph, g.forward_input(0));
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(s); });
    const Params<double> p = params_of(b, g.forward_input(1), g.forward_input(2), g.forward_input(3));
    const Grads<double> grads = grads_of(b, g);
    std::shared_ptr<std::vector<double>> scratch;
    double* dx = runtime::input_grad_or_scratch(g, s.batch * s.input, b, scratch);
    const double* dy = b.f(g.output_grad(0));
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(p, dy, dx, grads); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ClassifierShape s = shape_of(n, b.plan().graph, n.inputs[0]);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    const Params<float> p = params_of(b, n.inputs[1], n.inputs[2], n.inputs[3]);
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs[0]);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(p, x, y, *stream); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const ClassifierShape s = shape_of(n, b.plan().graph, g.forward_input(0));
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(s, engine); });
    const Params<float> p = params_of(b, g.forward_input(1), g.forward_input(2), g.forward_input(3));
    const Grads<float> grads = grads_of(b, g);
    std::shared_ptr<std::vector<float>> scratch;
    float* dx = runtime::input_grad_or_scratch(g, s.batch * s.input, b, scratch);
    const float* dy = b.f(g.output_grad(0));
    const dnnl::stream* stream = b.stream;
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(p, dy, dx, grads, *stream); });
  };
}

}  // namespace ynet::ops::moe_classifier
