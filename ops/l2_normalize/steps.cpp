// L2Normalize bound to the host backends; its operands are read in operands.h. The same step
// normalises the model's input when the spec says `normalize: l2`.
#include "ops/l2_normalize/cpu.h"
#include "ops/l2_normalize/operands.h"
#include "ops/l2_normalize/reference.h"
#include "ops/op.h"

namespace ynet::ops::l2_normalize {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(o.shape, o.epsilon, o.x, o.y); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::backward(o.shape, o.epsilon, o.x, o.dy, o.dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["L2Normalize"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.epsilon);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.y); });
  };
  table["L2Normalize.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.epsilon);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(o.x, o.dy, o.dx); });
  };
}

}  // namespace ynet::ops::l2_normalize
