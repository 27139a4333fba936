// BatchNorm bound to the host backends; its operands are read in operands.h. The host kernels read
// gamma and beta and write every gradient, so absent ones get stand-ins (Absent::stand_in).
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/batch_norm/cpu.h"
#include "ops/batch_norm/operands.h"
#include "ops/batch_norm/reference.h"
#include "ops/op.h"

namespace ynet::ops::batch_norm {
namespace {

// W'[i,j] = W[i,j] s_j and b'_j = (b_j - mean_j) s_j + beta_j with s_j = gamma_j / sqrt(var_j + eps):
// Dense followed by inference BatchNorm as one Dense. Without W (and b) the step writes s and
// beta - mean s, the per-feature affine map that a reader of the BatchNorm applies itself
// (fold_batchnorm_into_pooling). Runs once, after the parameters are loaded.
template <class T>
runtime::StepFactory<T> fold_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const FoldOperands o(n, b);
    const int64_t inputs = o.shape.inputs;
    const auto outputs = static_cast<size_t>(o.shape.outputs);
    auto scale = std::make_shared<std::vector<double>>(outputs);
    return runtime::make_step([=](const runtime::StepContext&) {
      double* s = scale->data();
      for (size_t j = 0; j < outputs; ++j) {
        s[j] = (o.gamma ? static_cast<double>(o.gamma[j]) : 1.0) /
               std::sqrt(static_cast<double>(o.variance[j]) + o.epsilon);
        const double shifted = (o.bias ? static_cast<double>(o.bias[j]) : 0.0) - static_cast<double>(o.mean[j]);
        o.b_folded[j] = static_cast<T>(shifted * s[j] + (o.beta ? static_cast<double>(o.beta[j]) : 0.0));
      }
      if (!o.w) {
        for (size_t j = 0; j < outputs; ++j) o.w_folded[j] = static_cast<T>(s[j]);
        return;
      }
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < inputs; ++i) {
        const size_t row = static_cast<size_t>(i) * outputs;
        for (size_t j = 0; j < outputs; ++j)
          o.w_folded[row + j] = static_cast<T>(static_cast<double>(o.w[row + j]) * s[j]);
      }
    });
  };
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["BatchNorm"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardOperands o(n, b, Absent::stand_in);
    return runtime::make_step([o](const runtime::StepContext& ctx) {
      if (!o.training) {
        reference::forward_inference(o.shape, o.epsilon, o.x, o.gamma, o.beta, o.moving_mean, o.moving_variance, o.y);
        return;
      }
      const std::size_t counted = reference::forward_training(o.shape, o.epsilon, o.x, o.gamma, o.beta, o.lengths, o.y,
                                                              o.batch_mean, o.batch_variance, ctx.slice);
      reference::update_moving_statistics(o.shape, counted, o.decay, o.batch_mean, o.batch_variance, o.moving_mean,
                                          o.moving_variance);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const BackwardOperands o(n, b, Absent::stand_in, Absent::stand_in);
    return runtime::make_step([o](const runtime::StepContext& ctx) {
      reference::backward(o.shape, o.epsilon, o.x, o.gamma, o.lengths, o.batch_mean, o.batch_variance, o.dy, o.dx,
                          o.dgamma, o.dbeta, ctx.slice);
    });
  };
  table["FoldBatchNorm"] = fold_factory<double>();
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  // Statistics over every row: oneDNN. Over the valid frames: our own loops (cpu.h), which mask.
  table["BatchNorm"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardOperands o(n, b, Absent::stand_in);
    if (o.lengths) {
      auto kernel = std::make_shared<cpu::FramesKernel>(o.shape, o.epsilon, o.decay);
      auto workspace = std::make_shared<std::vector<double>>(kernel->workspace_doubles());
      return runtime::make_step([o, kernel, workspace](const runtime::StepContext& ctx) {
        kernel->forward_training(o.x, o.gamma, o.beta, o.lengths, o.y, o.batch_mean, o.batch_variance, o.moving_mean,
                                 o.moving_variance, workspace->data(), ctx.slice);
      });
    }
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.epsilon, o.decay, *b.engine);
    // oneDNN takes its statistics over the rows it is given; a slice of a data-parallel batch needs
    // the global batch's, which the frames kernel sums over the ranks.
    auto sliced = o.training ? std::make_shared<cpu::FramesKernel>(o.shape, o.epsilon, o.decay) : nullptr;
    auto workspace = std::make_shared<std::vector<double>>(sliced ? sliced->workspace_doubles() : 0);
    dnnl::stream* stream = b.stream;
    return runtime::make_step([o, kernel, sliced, workspace, stream](const runtime::StepContext& ctx) {
      if (!o.training) {
        kernel->forward_inference(o.x, o.gamma, o.beta, o.moving_mean, o.moving_variance, o.y, *stream);
        return;
      }
      if (ctx.slice.distributed()) {
        sliced->forward_training(o.x, o.gamma, o.beta, nullptr, o.y, o.batch_mean, o.batch_variance, o.moving_mean,
                                 o.moving_variance, workspace->data(), ctx.slice);
        return;
      }
      kernel->forward_training(o.x, o.gamma, o.beta, o.y, o.batch_mean, o.batch_variance, *stream);
      stream->wait();
      kernel->update_moving_statistics(o.batch_mean, o.batch_variance, o.moving_mean, o.moving_variance);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    // Without dx (a BatchNorm on the model's input) only dgamma and dbeta are computed: no scratch as
    // large as x is needed, which oneDNN's backward would write.
    const BackwardOperands o(n, b, Absent::stand_in, Absent::null);
    if (o.lengths || !o.dx) {
      auto kernel = std::make_shared<cpu::FramesKernel>(o.shape, o.epsilon, o.decay);
      auto workspace = std::make_shared<std::vector<double>>(kernel->workspace_doubles());
      return runtime::make_step([o, kernel, workspace](const runtime::StepContext& ctx) {
        kernel->backward(o.x, o.gamma, o.lengths, o.batch_mean, o.batch_variance, o.dy, o.dx, o.dgamma, o.dbeta,
                         workspace->data(), ctx.slice);
      });
    }
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, o.epsilon, o.decay, *b.engine);
    auto sliced = std::make_shared<cpu::FramesKernel>(o.shape, o.epsilon, o.decay);
    auto workspace = std::make_shared<std::vector<double>>(sliced->workspace_doubles());
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([o, kernel, sliced, workspace, stream](const runtime::StepContext& ctx) {
      if (ctx.slice.distributed()) {
        sliced->backward(o.x, o.gamma, nullptr, o.batch_mean, o.batch_variance, o.dy, o.dx, o.dgamma, o.dbeta,
                         workspace->data(), ctx.slice);
        return;
      }
      kernel->backward(o.x, o.gamma, o.batch_mean, o.batch_variance, o.dy, o.dx, o.dgamma, o.dbeta, *stream);
    });
  };
  table["FoldBatchNorm"] = fold_factory<float>();
}

}  // namespace ynet::ops::batch_norm
