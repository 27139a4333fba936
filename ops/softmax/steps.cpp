// Softmax bound to the host backends; its operands are read in operands.h.
#include "ops/op.h"
#include "ops/softmax/cpu.h"
#include "ops/softmax/operands.h"
#include "ops/softmax/reference.h"

namespace ynet::ops::softmax {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Softmax"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(o.shape, o.x, o.lengths, o.y); });
  };
  table["Softmax.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::backward(o.shape, o.y, o.dy, o.dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Softmax"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, *b.engine);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.lengths, o.y, *stream); });
  };
  table["Softmax.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { cpu::backward(o.shape, o.y, o.dy, o.dx); });
  };
}

}  // namespace ynet::ops::softmax
