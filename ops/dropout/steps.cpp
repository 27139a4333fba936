// Dropout bound to the host backends; its operands are read in operands.h. The mask is keyed by the
// run's seed, the global step and the step's `stream` attribute, so the backward step regenerates
// the forward mask; a process holding a slice of a data-parallel batch draws its rows' part of the
// global batch's mask.
#include "ops/dropout/cpu.h"
#include "ops/dropout/operands.h"
#include "ops/dropout/reference.h"
#include "ops/op.h"

namespace ynet::ops::dropout {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      reference::forward(o.mask.rate, o.mask.key(ctx), first_element(ctx, o.row_elements), o.x, o.y, o.count);
    });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      reference::backward(o.mask.rate, o.mask.key(ctx), first_element(ctx, o.row_elements), o.dy, o.dx, o.count);
    });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.count, o.mask.rate);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      kernel->forward(o.mask.key(ctx), first_element(ctx, o.row_elements), o.x, o.y);
    });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.count, o.mask.rate);
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      kernel->backward(o.mask.key(ctx), first_element(ctx, o.row_elements), o.dy, o.dx);
    });
  };
}

}  // namespace ynet::ops::dropout
