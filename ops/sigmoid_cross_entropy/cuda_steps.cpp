// SigmoidCrossEntropy bound to the CUDA backend. Operands: see lower.cpp; `on: probabilities` is
// the starter code's cross-entropy on the MoE classifier's probabilities (probability_loss.h).
#include <stdexcept>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/moe_classifier/probability_loss.h"
#include "ops/sigmoid_cross_entropy/cuda.h"

namespace ynet::ops::sigmoid_cross_entropy {
namespace {

CrossEntropyShape shape_of(const ir::Value& logits) {
  if (logits.shape.size() != 2) throw std::invalid_argument("SigmoidCrossEntropy takes [batch, classes] inputs");
  return {static_cast<size_t>(logits.shape[0]), static_cast<size_t>(logits.shape[1])};
}

cuda::Input input_of(const ir::Node& n) {
  const std::string on = ir::attr_string(n.attrs, "on", "logits");
  if (on == "logits") return cuda::Input::logits;
  if (on == "probabilities") return cuda::Input::probabilities;
  throw std::invalid_argument("SigmoidCrossEntropy is on logits or probabilities, not '" + on + "'");
}

struct LossOperands {
  CrossEntropyShape shape;
  cuda::Input input;
  const float *values, *labels, *class_weights;
};

LossOperands operands_of(const ir::Node& n, runtime::cuda::DeviceBuffers& b, int input, int labels,
                         int class_weights) {
  if (input < 0 || labels < 0) throw std::invalid_argument("SigmoidCrossEntropy needs its input and the labels");
  return {shape_of(b.value(input)), input_of(n), b.f(input), b.f(labels), b.f(class_weights)};
}

constexpr double kEpsilon = moe_classifier::probability_loss::kEpsilon;

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["SigmoidCrossEntropy"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const LossOperands o = operands_of(n, b, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2));
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(o.shape)})[0];
    float* loss = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::forward(o.shape, o.input, kEpsilon, o.values, o.labels, o.class_weights, loss, workspace.as<void>(), stream);
    });
  };
  table["SigmoidCrossEntropy.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const LossOperands o = operands_of(n, b, g.forward_input(0), g.forward_input(1), g.forward_input(2));
    const float* dloss = b.f(g.output_grad(0));
    float* dvalues = b.f(g.input_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::backward(o.shape, o.input, kEpsilon, o.values, o.labels, o.class_weights, dloss, dvalues, stream);
    });
  };
}

}  // namespace ynet::ops::sigmoid_cross_entropy
