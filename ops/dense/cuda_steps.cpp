// Dense bound to the CUDA backend. Operands: see lower.cpp.
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/dense/cuda.h"
#include "ops/dense/operands.h"

namespace ynet::ops::dense {

namespace {

ActivationKind activation_of(const ir::Node& n) {
  return runtime::activation_kind(ir::attr_string(n.attrs, "activation", "none"));
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["Dense"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const DenseShape s = shape_of(b.plan().graph, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2) >= 0);
    auto kernel = std::make_shared<cuda::Forward>(s, activation_of(n), b.f(n.inputs[2]), b);
    const float *x = b.f(n.inputs[0]), *w = b.f(n.inputs[1]);
    float* y = b.f(n.outputs.at(0));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->run(x, w, y); });
  };
  table["Dense.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const DenseShape s = shape_of(b.plan().graph, g.forward_input(0), g.forward_input(1), g.input_grad(2) >= 0);
    auto kernel = std::make_shared<cuda::Backward>(s, activation_of(n), g.input_grad(0) >= 0, b);
    const float *x = b.f(g.forward_input(0)), *w = b.f(g.forward_input(1)), *y = b.f(g.forward_output(0)),
                *dy = b.f(g.output_grad(0));
    float *dx = b.f(g.input_grad(0)), *dw = b.f(g.input_grad(1)), *db = b.f(g.input_grad(2));
    return runtime::make_step([=](const runtime::StepContext&) { kernel->run(x, w, y, dy, dx, dw, db); });
  };
}

}  // namespace ynet::ops::dense
