// BatchNorm and FoldBatchNorm bound to the CUDA backend; their operands are read in operands.h.
// Absent gamma and beta are passed as null pointers, which the kernels read as ones and zeros.
#include <stdexcept>

#include "ops/batch_norm/cuda.h"
#include "ops/batch_norm/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::batch_norm {
namespace {

// The statistics and their gradient would be this process's rows' alone: refuse rather than train
// something else than the single process would.
void refuse_data_parallel(const runtime::StepContext& ctx) {
  if (ctx.slice.distributed())
    throw std::runtime_error(
        "BatchNorm: data-parallel training on the CUDA backend is not built yet (the batch statistics would be "
        "this process's rows' alone); train data-parallel on the cpu or reference backend");
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["BatchNorm"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const ForwardOperands o(n, b);
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(o.shape)})[0];
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      if (o.training) refuse_data_parallel(ctx);
      if (o.training)
        cuda::forward_training(o.shape, o.epsilon, o.decay, o.x, o.gamma, o.beta, o.lengths, o.y, o.batch_mean,
                               o.batch_variance, o.moving_mean, o.moving_variance, workspace.as<void>(), stream);
      else
        cuda::forward_inference(o.shape, o.epsilon, o.x, o.gamma, o.beta, o.moving_mean, o.moving_variance, o.y,
                                workspace.as<void>(), stream);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const BackwardOperands o(n, b);
    const runtime::cuda::Scratch workspace = b.transient({cuda::workspace_bytes(o.shape)})[0];
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext& ctx) {
      refuse_data_parallel(ctx);
      cuda::backward(o.shape, o.epsilon, o.x, o.gamma, o.lengths, o.batch_mean, o.batch_variance, o.dy, o.dx,
                     o.dgamma, o.dbeta, workspace.as<void>(), stream);
    });
  };
  table["FoldBatchNorm"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const FoldOperands o(n, b);
    const runtime::cuda::Scratch workspace = b.transient({cuda::fold_workspace_bytes(o.shape.outputs)})[0];
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::fold(o.shape.inputs, o.shape.outputs, o.epsilon, o.w, o.bias, o.gamma, o.beta, o.mean, o.variance,
                 o.w_folded, o.b_folded, workspace.as<void>(), stream);
    });
  };
}

}  // namespace ynet::ops::batch_norm
