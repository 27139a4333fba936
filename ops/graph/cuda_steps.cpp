// The graph steps (LossSum, LossSum.grad, AddGrad; see ops/graph/steps.cpp) on the GPU.
// The loss terms and their gradients are scalars in the arena: their addresses go to the device
// in small tables uploaded at bind time.
#include <vector>

#include "ops/support/cuda/device_buffers.h"
#include "ops/graph/cuda.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::graph {

using runtime::make_step;
using runtime::StepContext;
namespace cuda = runtime::cuda;

void add_cuda_steps(cuda::StepTable& table) {
  table["LossSum"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    std::vector<const float*> terms;
    for (int v : node.inputs) terms.push_back(b.f(v));
    const cuda::Scratch table = b.upload(terms);
    const int count = static_cast<int>(terms.size());
    float* loss = b.f(node.outputs.at(0));
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::sum_scalars(table.as<const float* const>(), count, loss, stream); });
  };
  table["LossSum.grad"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    std::vector<float*> grads;
    for (int v : node.outputs)
      if (v >= 0) grads.push_back(b.f(v));
    const cuda::Scratch table = b.upload(grads);
    const int count = static_cast<int>(grads.size());
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::fill_scalars(table.as<float* const>(), count, 1.0f, stream); });
  };
  table["AddGrad"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    const float* a = b.f(node.inputs.at(0));
    const float* c = b.f(node.inputs.at(1));
    float* out = b.f(node.outputs.at(0));
    const int64_t n = b.elements(node.outputs.at(0));
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::add(a, c, out, n, stream); });
  };
}

}  // namespace ynet::ops::graph
