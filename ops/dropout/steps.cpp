// Dropout bound to the host backends. Operands: see lower.cpp. The mask is keyed by the run's seed,
// the global step and the step's `stream` attribute, so the backward step regenerates the forward mask.
#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/dropout/cpu.h"
#include "ops/dropout/reference.h"

namespace ynet::ops::dropout {
namespace {

double rate_of(const ir::Node& n) { return ir::attr_double(n.attrs, "rate", 0.5); }

philox::MaskKey mask_key(const runtime::StepContext& ctx, uint32_t stream) {
  return philox::MaskKey{ctx.seed, static_cast<uint64_t>(ctx.step), stream};
}

uint32_t stream_of(const ir::Node& n) { return static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0)); }

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const double rate = rate_of(n);
    const uint32_t stream = stream_of(n);
    const auto count = static_cast<size_t>(b.elements(n.inputs.at(0)));
    const double* x = b.f(n.inputs[0]);
    double* y = b.f(n.outputs.at(0));
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { reference::forward(rate, mask_key(ctx, stream), x, y, count); });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const runtime::GradOperands g(n);
    const double rate = rate_of(n);
    const uint32_t stream = stream_of(n);
    const auto count = static_cast<size_t>(b.elements(g.output_grad(0)));
    const double* dy = b.f(g.output_grad(0));
    double* dx = b.f(g.input_grad(0));
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { reference::backward(rate, mask_key(ctx, stream), dy, dx, count); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["Dropout"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const uint32_t stream = stream_of(n);
    auto kernel = std::make_shared<cpu::Kernel>(static_cast<size_t>(b.elements(n.inputs.at(0))), rate_of(n));
    const float* x = b.f(n.inputs[0]);
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext& ctx) { kernel->forward(mask_key(ctx, stream), x, y); });
  };
  table["Dropout.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const runtime::GradOperands g(n);
    const uint32_t stream = stream_of(n);
    auto kernel = std::make_shared<cpu::Kernel>(static_cast<size_t>(b.elements(g.output_grad(0))), rate_of(n));
    const float* dy = b.f(g.output_grad(0));
    float* dx = b.f(g.input_grad(0));
    return runtime::make_step(
        [=](const runtime::StepContext& ctx) { kernel->backward(mask_key(ctx, stream), dy, dx); });
  };
}

}  // namespace ynet::ops::dropout
