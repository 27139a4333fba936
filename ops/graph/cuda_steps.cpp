// The graph steps (LossSum, LossSum.grad, AddGrad; see ops/graph/steps.cpp) on the GPU.
// The loss terms and their gradients are scalars in the arena: their addresses go to the device
// in small tables uploaded at bind time.
#include <vector>

#include "ops/support/cuda/device_buffers.h"
#include "ops/graph/cuda.h"
#include "ops/graph/operands.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::graph {

using runtime::make_step;
using runtime::StepContext;
namespace cuda = runtime::cuda;

void add_cuda_steps(cuda::StepTable& table) {
  table["LossSum"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    const LossSumOperands o(node, b);
    const cuda::Scratch table = b.upload(o.terms);
    const int count = static_cast<int>(o.terms.size());
    float* loss = o.loss;
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::sum_scalars(table.as<const float* const>(), count, loss, stream); });
  };
  table["LossSum.grad"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    const LossSumGradOperands o(node, b);
    const cuda::Scratch table = b.upload(o.term_grads);
    const int count = static_cast<int>(o.term_grads.size());
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::fill_scalars(table.as<float* const>(), count, 1.0f, stream); });
  };
  table["AddGrad"] = [](const ir::Node& node, cuda::DeviceBuffers& b) {
    const AddGradOperands o(node, b);
    cudaStream_t stream = b.stream();
    return make_step([=](const StepContext&) { cuda::add(o.a, o.b, o.sum, o.count, stream); });
  };
}

}  // namespace ynet::ops::graph
