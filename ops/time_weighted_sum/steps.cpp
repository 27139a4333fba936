// TimeWeightedSum bound to the host backends. Operands: see lower.cpp. The weights divide by the
// step's max_frames attribute (the plan's frame count), so they match the paper's w_t = t / max_frames.
#include <stdexcept>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/time_weighted_sum/cpu.h"
#include "ops/time_weighted_sum/operands.h"
#include "ops/time_weighted_sum/reference.h"

namespace ynet::ops::time_weighted_sum {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const TimeWeightedSumShape s = shape_of(n, b.value(n.inputs.at(0)));
    const Weighting w = weighting_of(n);
    const double* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs.at(1));
    double* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::forward(s, w, x, lengths, y); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const TimeWeightedSumShape s = shape_of(n, b.value(g.input_grad(0)));
    const Weighting w = weighting_of(n);
    const int32_t* lengths = b.i(g.forward_input(1));
    const double* dy = b.f(g.output_grad(0));
    double* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { reference::backward(s, w, lengths, dy, dx); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["TimeWeightedSum"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    auto kernel = std::make_shared<cpu::Kernel>(shape_of(n, b.value(n.inputs.at(0))), weighting_of(n));
    const float* x = b.f(n.inputs[0]);
    const int32_t* lengths = b.i(n.inputs.at(1));
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(x, lengths, y); });
  };
  table["TimeWeightedSum.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    auto kernel = std::make_shared<cpu::Kernel>(shape_of(n, b.value(g.input_grad(0))), weighting_of(n));
    const int32_t* lengths = b.i(g.forward_input(1));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->backward(lengths, dy, dx); });
  };
}

}  // namespace ynet::ops::time_weighted_sum
