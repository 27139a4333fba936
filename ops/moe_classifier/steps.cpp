// The video-level MoE classifier bound to the host backends; its operands are read in operands.h.
// Forward and backward share a kernel, which keeps the gate and expert probabilities.
#include "ops/moe_classifier/cpu.h"
#include "ops/moe_classifier/operands.h"
#include "ops/moe_classifier/reference.h"
#include "ops/op.h"

namespace ynet::ops::moe_classifier {

void add_reference_steps(runtime::StepTable<double>& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.params, o.x, o.y); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    BackwardOperands o(n, b);
    auto kernel = b.shared<reference::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<reference::Kernel>(o.shape); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.batch * o.shape.input);
    return runtime::make_step(
        [=, keep_alive = scratch](const runtime::StepContext&) { kernel->backward(o.params, o.dy, o.dx, o.grads); });
  };
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["MoeClassifier"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=](const runtime::StepContext&) { kernel->forward(o.params, o.x, o.y, *stream); });
  };
  table["MoeClassifier.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    BackwardOperands o(n, b);
    const dnnl::engine& engine = *b.engine;
    auto kernel = b.shared<cpu::Kernel>(runtime::layer_key(n), [&] { return std::make_shared<cpu::Kernel>(o.shape, engine); });
    auto scratch = runtime::scratch_if_absent(o.dx, o.shape.batch * o.shape.input);
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([=, keep_alive = scratch](const runtime::StepContext&) {
      kernel->backward(o.params, o.dy, o.dx, o.grads, *stream);
    });
  };
}

}  // namespace ynet::ops::moe_classifier
