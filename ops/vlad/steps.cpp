// VladAggregate bound to the host backends; its operands are read in operands.h.
#include "ops/op.h"
#include "ops/vlad/cpu.h"
#include "ops/vlad/operands.h"
#include "ops/vlad/reference.h"

namespace ynet::ops::vlad {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["VladAggregate"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(o.shape, o.a, o.x, o.centres, o.v); });
  };
  table["VladAggregate.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext&) {
      reference::backward(o.shape, o.a, o.x, o.centres, o.dv, o.da, o.dx, o.dcentres);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["VladAggregate"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, *b.engine);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step(
        [=](const runtime::StepContext&) { kernel->forward(o.a, o.x, o.centres, o.v, *stream); });
  };
  table["VladAggregate.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, *b.engine);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) {
      kernel->backward(o.a, o.x, o.centres, o.dv, o.da, o.dx, o.dcentres, *stream);
    });
  };
}

}  // namespace ynet::ops::vlad
