// BatchNorm and FoldBatchNorm bound to the CUDA backend. Operands: see lower.cpp and steps.cpp.
// Absent gamma and beta are passed as null pointers, which the kernels read as ones and zeros.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/batch_norm/cuda.h"
#include "ops/batch_norm/operands.h"

namespace ynet::ops::batch_norm {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["BatchNorm"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const bool training = ir::attr_bool(n.attrs, "training", true);
    if (n.inputs.size() != 5 || n.outputs.size() != (training ? 5u : 1u))
      throw std::invalid_argument("BatchNorm expects (x, gamma, beta, moving_mean, moving_variance) and " +
                                  std::string(training ? "5 outputs in training" : "1 output in inference"));
    const BatchNormShape s = shape_of(b.value(n.inputs[0]));
    const double epsilon = epsilon_of(n), decay = decay_of(n);
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(s)})[0];
    const float *x = b.f(n.inputs[0]), *gamma = b.f(n.inputs[1]), *beta = b.f(n.inputs[2]);
    float *moving_mean = b.f(n.inputs[3]), *moving_variance = b.f(n.inputs[4]), *y = b.f(n.outputs[0]);
    float* batch_mean = training ? b.f(n.outputs[3]) : nullptr;
    float* batch_variance = training ? b.f(n.outputs[4]) : nullptr;
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      if (training)
        cuda::forward_training(s, epsilon, decay, x, gamma, beta, y, batch_mean, batch_variance, moving_mean,
                               moving_variance, workspace.as<void>(), stream);
      else
        cuda::forward_inference(s, epsilon, x, gamma, beta, moving_mean, moving_variance, y, workspace.as<void>(),
                                stream);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    if (g.forward_input(0) < 0 || g.forward_output(3) < 0 || g.forward_output(4) < 0 || g.output_grad(0) < 0)
      throw std::invalid_argument("BatchNorm.grad needs x, the saved batch statistics and the gradient of y");
    const BatchNormShape s = shape_of(b.value(g.forward_input(0)));
    const double epsilon = epsilon_of(n);
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(s)})[0];
    const float *x = b.f(g.forward_input(0)), *gamma = b.f(g.forward_input(1)), *mean = b.f(g.forward_output(3)),
                *variance = b.f(g.forward_output(4)), *dy = b.f(g.output_grad(0));
    float *dx = b.f(g.input_grad(0)), *dgamma = b.f(g.input_grad(1)), *dbeta = b.f(g.input_grad(2));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::backward(s, epsilon, x, gamma, mean, variance, dy, dx, dgamma, dbeta, workspace.as<void>(), stream);
    });
  };
  table["FoldBatchNorm"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const FoldShape shape = fold_shape_of(n, b.plan().graph);
    const int64_t inputs = shape.inputs, outputs = shape.outputs;
    const double epsilon = epsilon_of(n);
    const runtime::cuda::Scratch workspace = b.transient({cuda::fold_workspace_bytes(outputs)})[0];
    const float *w = b.f(n.inputs[0]), *bias = b.f(n.inputs[1]), *gamma = b.f(n.inputs[2]), *beta = b.f(n.inputs[3]),
                *mean = b.f(n.inputs[4]), *variance = b.f(n.inputs[5]);
    float *w_folded = b.f(n.outputs[0]), *b_folded = b.f(n.outputs[1]);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::fold(inputs, outputs, epsilon, w, bias, gamma, beta, mean, variance, w_folded, b_folded,
                 workspace.as<void>(), stream);
    });
  };
}

}  // namespace ynet::ops::batch_norm
