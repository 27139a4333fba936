// Dense bound to the host backends. Operands: see lower.cpp; the int8 form (a "QuantizeDense"
// prologue step and Dense with precision int8) is described in int8.h and passes/quantize.h.
#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/dense/cpu.h"
#include "ops/dense/int8.h"
#include "ops/dense/int8_cpu.h"
#include "ops/dense/operands.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense {

namespace {

bool is_int8(const ir::Node& n) { return ir::attr_string(n.attrs, "precision", "fp32") == "int8"; }

// What the QuantizeDense step and the int8 Dense step of one layer agree on: the shape, the
// activation and whether the input is unsigned; the int8 weights are shared under int8_key.
struct Int8Layer {
  DenseShape shape;
  ActivationKind activation;
  bool input_unsigned;
  int w = -1, w_scale = -1;  // buffer ids
};

std::string int8_key(const ir::Node& n) { return "Dense.int8@" + n.layer; }

Int8Layer int8_layer(const ir::Graph& g, const ir::Node& n) {
  const bool prologue = n.op == "QuantizeDense";
  if (prologue ? n.inputs.size() != 1 || n.outputs.size() != 1 : n.inputs.size() != 4 || n.inputs[3] < 0)
    throw std::invalid_argument(prologue ? "QuantizeDense expects (weights) -> (W_scale)"
                                         : "an int8 Dense expects (x, weights, bias or -1, W_scale)");
  const int w = prologue ? n.inputs[0] : n.inputs[1];
  DenseShape s = prologue ? DenseShape{} : shape_of(g, n.inputs[0], w, n.inputs[2] >= 0);
  if (prologue) {
    s.inputs = static_cast<size_t>(g.value(w).shape.at(0));
    s.outputs = static_cast<size_t>(g.value(w).shape.at(1));
    s.rows = static_cast<size_t>(ir::attr_int(n.attrs, "rows", 0));
  }
  return {s, runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none")),
          ir::attr_bool(n.attrs, "input_unsigned", false), w, prologue ? n.outputs[0] : n.inputs[3]};
}

// The reference's int8 weights.
struct ReferenceInt8Weights {
  std::vector<int8_t> values;
};

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["QuantizeDense"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const Int8Layer l = int8_layer(b.plan().graph, n);
    auto qw = b.shared<ReferenceInt8Weights>(int8_key(n), [] { return std::make_shared<ReferenceInt8Weights>(); });
    qw->values.resize(l.shape.inputs * l.shape.outputs);
    const double* w = b.f(l.w);
    double* w_scale = b.f(l.w_scale);
    return runtime::make_step(
        [=](const runtime::StepContext&) { int8::reference::quantize_weights(l.shape, w, w_scale, qw->values.data()); });
  };
  table["Dense"] = [](const ir::Node& n, runtime::Buffers<double>& b) -> std::unique_ptr<runtime::BoundStep> {
    if (is_int8(n)) {
      const Int8Layer l = int8_layer(b.plan().graph, n);
      auto qw = b.shared<ReferenceInt8Weights>(int8_key(n), [] { return std::make_shared<ReferenceInt8Weights>(); });
      const double *x = b.f(n.inputs[0]), *bias = b.f(n.inputs[2]), *w_scale = b.f(l.w_scale);
      double* y = b.f(n.outputs[0]);
      return runtime::make_step([=](const runtime::StepContext&) {
        int8::reference::forward(l.shape, l.activation, l.input_unsigned, x, qw->values.data(), w_scale, bias, y);
      });
    }
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
  const auto int8_kernel = [](const ir::Node& n, runtime::Buffers<float>& b, const Int8Layer& l) {
    return b.shared<cpu::Int8Kernel>(int8_key(n), [&] {
      return std::make_shared<cpu::Int8Kernel>(l.shape, l.activation, l.input_unsigned, *b.engine);
    });
  };
  table["QuantizeDense"] = [int8_kernel](const ir::Node& n, runtime::Buffers<float>& b) {
    const Int8Layer l = int8_layer(b.plan().graph, n);
    auto kernel = int8_kernel(n, b, l);
    const float* w = b.f(l.w);
    float* w_scale = b.f(l.w_scale);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->quantize_weights(w, w_scale, *stream); });
  };
  table["Dense"] = [int8_kernel](const ir::Node& n, runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    if (is_int8(n)) {
      const Int8Layer l = int8_layer(b.plan().graph, n);
      auto kernel = int8_kernel(n, b, l);
      const float *x = b.f(n.inputs[0]), *bias = b.f(n.inputs[2]), *w_scale = b.f(l.w_scale);
      float* y = b.f(n.outputs[0]);
      const dnnl::stream* stream = b.stream;
      return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, w_scale, bias, y, *stream); });
    }
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
