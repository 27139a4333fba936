// TimeWeightedSum bound to the host backends; its operands are read in operands.h. The weights
// divide by the step's max_frames attribute (the plan's frame count), so they match the paper's
// w_t = t / max_frames.
#include "ops/op.h"
#include "ops/time_weighted_sum/cpu.h"
#include "ops/time_weighted_sum/operands.h"
#include "ops/time_weighted_sum/reference.h"

namespace ynet::ops::time_weighted_sum {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::forward(o.shape, o.weighting, o.x, o.lengths, o.y); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b);
    return runtime::make_step(
        [=](const runtime::StepContext&) { reference::backward(o.shape, o.weighting, o.lengths, o.dy, o.dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.weighting);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.x, o.lengths, o.y); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const BackwardOperands o(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.weighting);
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(o.lengths, o.dy, o.dx); });
  };
}

}  // namespace ynet::ops::time_weighted_sum
