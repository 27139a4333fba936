// Dense bound to the host backends; its operands are read in operands.h. The int8 form (a
// "QuantizeDense" prologue step and Dense with precision int8) is described in int8.h and
// compiler/passes/quantize.h.
#include "ops/dense/cpu.h"
#include "ops/dense/int8.h"
#include "ops/dense/int8_cpu.h"
#include "ops/dense/operands.h"
#include "ops/dense/reference.h"
#include "ops/op.h"

namespace ynet::ops::dense {

namespace {

// The reference's int8 weights, shared by the layer's two int8 steps.
struct ReferenceInt8Weights {
  std::vector<int8_t> values;
};

std::shared_ptr<ReferenceInt8Weights> reference_int8_weights(const ir::Node& n, runtime::Buffers<double>& b) {
  return b.shared<ReferenceInt8Weights>(int8_key(n), [] { return std::make_shared<ReferenceInt8Weights>(); });
}

std::shared_ptr<cpu::Int8Kernel> cpu_int8_kernel(const ir::Node& n, runtime::Buffers<float>& b,
                                                 const Int8Operands<runtime::Buffers<float>>& o) {
  return b.shared<cpu::Int8Kernel>(int8_key(n), [&] {
    return std::make_shared<cpu::Int8Kernel>(o.shape, o.activation, o.input_unsigned, *b.engine);
  });
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["QuantizeDense"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const Int8Operands o(n, b);
    auto qw = reference_int8_weights(n, b);
    qw->values.resize(o.shape.inputs * o.shape.outputs);
    return runtime::make_step(
        [=](const runtime::StepContext&) { int8::reference::quantize_weights(o.shape, o.w, o.w_scale, qw->values.data()); });
  };
  table["Dense"] = [](const ir::Node& n, runtime::Buffers<double>& b) -> std::unique_ptr<runtime::BoundStep> {
    if (is_int8(n)) {
      const Int8Operands o(n, b);
      auto qw = reference_int8_weights(n, b);
      return runtime::make_step([=](const runtime::StepContext&) {
        int8::reference::forward(o.shape, o.activation, o.input_unsigned, o.x, qw->values.data(), o.w_scale, o.bias, o.y);
      });
    }
    const ForwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::forward(o.shape, o.activation, o.x, o.w, o.bias, o.y); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      reference::backward(o.shape, o.activation, o.x, o.w, o.y, o.dy, o.dx, o.dw, o.db);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["QuantizeDense"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const Int8Operands o(n, b);
    auto kernel = cpu_int8_kernel(n, b, o);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->quantize_weights(o.w, o.w_scale, *stream); });
  };
  table["Dense"] = [](const ir::Node& n, runtime::Buffers<float>& b) -> std::unique_ptr<runtime::BoundStep> {
    const dnnl::stream* stream = b.stream;
    if (is_int8(n)) {
      const Int8Operands o(n, b);
      auto kernel = cpu_int8_kernel(n, b, o);
      return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.w_scale, o.bias, o.y, *stream); });
    }
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.activation, *b.engine);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.w, o.bias, o.y, *stream); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.activation, *b.engine);
    auto workspace = std::make_shared<std::vector<float>>(kernel->workspace_bytes() / sizeof(float) + 1);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->backward(o.x, o.w, o.y, o.dy, o.dx, o.dw, o.db, workspace->data(), *stream);
    });
  };
}

}  // namespace ynet::ops::dense
