// BatchNorm and FoldBatchNorm bound to the CUDA backend. Operands: see lower.cpp and steps.cpp.
// Absent gamma and beta are passed as null pointers, which the kernels read as ones and zeros.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "runtime/backend/cuda/device_buffers.h"
#include "runtime/backend/step_support.h"
#include "runtime/backend/step_tables.h"
#include "runtime/ops/batch_norm/cuda.h"

namespace ynet::ops::batch_norm {
namespace {

BatchNormShape shape_of(const ir::Value& x) {
  BatchNormShape s;
  s.features = static_cast<size_t>(x.shape.empty() ? 1 : x.shape.back());
  s.rows = static_cast<size_t>(x.elements()) / std::max<size_t>(s.features, 1);
  return s;
}

double epsilon_of(const ir::Node& n) { return ir::attr_double(n.attrs, "epsilon", kDefaultEpsilon); }
double decay_of(const ir::Node& n) { return ir::attr_double(n.attrs, "momentum", kDefaultDecay); }

}  // namespace

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
    if (n.inputs.size() != 6 || n.outputs.size() != 2)
      throw std::invalid_argument(
          "FoldBatchNorm expects (W or -1, b or -1, gamma, beta, moving_mean, moving_variance) -> (W' or scale, b' or shift)");
    const bool into_weights = n.inputs[0] >= 0;
    const ir::Value& wv = b.value(into_weights ? n.inputs[0] : n.inputs[4]);
    if (into_weights && wv.shape.size() != 2)
      throw std::invalid_argument("FoldBatchNorm folds a [inputs, outputs] weight matrix");
    const int64_t inputs = into_weights ? wv.shape[0] : 0, outputs = wv.shape.back();
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
