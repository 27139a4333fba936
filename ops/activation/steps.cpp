// Activation bound to the host backends; its operands are read in operands.h.
#include "ops/activation/cpu.h"
#include "ops/activation/operands.h"
#include "ops/activation/reference.h"
#include "ops/op.h"

namespace ynet::ops::activation {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Activation"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(o.kind, o.x, o.y, o.count); });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::backward(o.kind, o.y, o.dy, o.dx, o.count); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Activation"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.kind, o.count, *b.engine);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.y, *stream); });
  };
  table["Activation.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.kind, o.count, *b.engine);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(o.y, o.dy, o.dx, *stream); });
  };
}

}  // namespace ynet::ops::activation
