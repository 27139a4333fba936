// Multiply bound to the host backends; its operands are read in operands.h.
#include "ops/multiply/cpu.h"
#include "ops/multiply/operands.h"
#include "ops/multiply/reference.h"
#include "ops/op.h"

namespace ynet::ops::multiply {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Multiply"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(o.shape, o.a, o.b, o.y); });
  };
  table["Multiply.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::backward(o.shape, o.a, o.b, o.dy, o.da, o.db); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Multiply"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { cpu::forward(o.shape, o.a, o.b, o.y); });
  };
  table["Multiply.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { cpu::backward(o.shape, o.a, o.b, o.dy, o.da, o.db); });
  };
}

}  // namespace ynet::ops::multiply
