// BatchNorm bound to the host backends. Operands: see lower.cpp; "FoldBatchNorm", the inference
// prologue that merges a BatchNorm into the Dense before it or the pooling after it, is documented
// at fold_batchnorm_into_dense and fold_batchnorm_into_pooling.
#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <vector>

#include "ops/support/step_support.h"
#include "ops/op.h"
#include "ops/batch_norm/cpu.h"
#include "ops/batch_norm/operands.h"
#include "ops/batch_norm/reference.h"

namespace ynet::ops::batch_norm {

namespace {

// Bind-time memory for operands the plan leaves out: without `scale` gamma reads as ones, without
// `center` beta as zeros, and a gradient that nobody reads still needs somewhere to be written.
template <class T>
class Fallbacks {
 public:
  T* filled(size_t count, T value) { return blocks_.emplace_back(count, value).data(); }
  const T* operand_or(runtime::Buffers<T>& b, int id, size_t count, T value) {
    return id >= 0 ? b.f(id) : filled(count, value);
  }
  T* output_or_scratch(runtime::Buffers<T>& b, int id, size_t count) { return id >= 0 ? b.f(id) : filled(count, T(0)); }

 private:
  std::deque<std::vector<T>> blocks_;  // a deque never moves its elements, so pointers stay valid
};

// The buffers of one "BatchNorm" step, absent affine parameters replaced by constants.
template <class T>
struct ForwardBuffers {
  BatchNormShape shape;
  bool training = true;
  const T *x = nullptr, *gamma = nullptr, *beta = nullptr;
  T *moving_mean = nullptr, *moving_variance = nullptr, *y = nullptr, *batch_mean = nullptr, *batch_variance = nullptr;
  std::shared_ptr<Fallbacks<T>> fallbacks = std::make_shared<Fallbacks<T>>();
};

template <class T>
ForwardBuffers<T> forward_buffers(const ir::Node& n, runtime::Buffers<T>& b) {
  ForwardBuffers<T> o;
  o.shape = shape_of(b.value(n.inputs.at(0)));
  o.training = ir::attr_bool(n.attrs, "training", true);
  if (n.inputs.size() != 5 || n.outputs.size() != (o.training ? 5u : 1u))
    throw std::invalid_argument("BatchNorm expects (x, gamma, beta, moving_mean, moving_variance) and " +
                                std::string(o.training ? "5 outputs in training" : "1 output in inference"));
  o.x = b.f(n.inputs[0]);
  o.gamma = o.fallbacks->operand_or(b, n.inputs[1], o.shape.features, T(1));
  o.beta = o.fallbacks->operand_or(b, n.inputs[2], o.shape.features, T(0));
  o.moving_mean = b.f(n.inputs[3]);
  o.moving_variance = b.f(n.inputs[4]);
  o.y = b.f(n.outputs[0]);
  if (o.training) {
    o.batch_mean = b.f(n.outputs[3]);
    o.batch_variance = b.f(n.outputs[4]);
  }
  return o;
}

// The buffers of one "BatchNorm.grad" step; absent gradients go to scratch.
template <class T>
struct GradBuffers {
  BatchNormShape shape;
  const T *x = nullptr, *gamma = nullptr, *batch_mean = nullptr, *batch_variance = nullptr, *dy = nullptr;
  T *dx = nullptr, *dgamma = nullptr, *dbeta = nullptr;
  std::shared_ptr<Fallbacks<T>> fallbacks = std::make_shared<Fallbacks<T>>();
};

template <class T>
GradBuffers<T> grad_buffers(const ir::Node& n, runtime::Buffers<T>& b, bool scratch_dx) {
  const runtime::GradOperands g(n);
  if (g.forward_input(0) < 0 || g.forward_output(3) < 0 || g.forward_output(4) < 0 || g.output_grad(0) < 0)
    throw std::invalid_argument("BatchNorm.grad needs x, the saved batch statistics and the gradient of y");
  GradBuffers<T> o;
  o.shape = shape_of(b.value(g.forward_input(0)));
  const size_t f = o.shape.features;
  o.x = b.f(g.forward_input(0));
  o.gamma = o.fallbacks->operand_or(b, g.forward_input(1), f, T(1));
  o.batch_mean = b.f(g.forward_output(3));
  o.batch_variance = b.f(g.forward_output(4));
  o.dy = b.f(g.output_grad(0));
  o.dx = scratch_dx ? o.fallbacks->output_or_scratch(b, g.input_grad(0), o.shape.rows * f) : b.f(g.input_grad(0));
  o.dgamma = o.fallbacks->output_or_scratch(b, g.input_grad(1), f);
  o.dbeta = o.fallbacks->output_or_scratch(b, g.input_grad(2), f);
  return o;
}

// dgamma and dbeta alone, for a BatchNorm whose input needs no gradient (one on the model's input):
// oneDNN's backward would also write a dx as large as the input. Each thread owns a block of
// features and sums its rows in order, so the result does not depend on the thread count. Runs of
// kRun rows are summed in float (vector lanes across the block's features), the runs in double.
constexpr size_t kFeatureBlock = 32;
constexpr size_t kRun = 64;

[[gnu::target_clones("avx512f", "avx2", "default")]]
void affine_gradient_block(const GradBuffers<float>& o, size_t first, double* sum_dy, double* sum_dy_centered) {
  const size_t features = o.shape.features;
  float mean[kFeatureBlock];
  for (size_t k = 0; k < kFeatureBlock; ++k) mean[k] = o.batch_mean[first + k];
  for (size_t run = 0; run < o.shape.rows; run += kRun) {
    float run_dy[kFeatureBlock] = {}, run_centered[kFeatureBlock] = {};
    const size_t end = std::min(run + kRun, o.shape.rows);
    for (size_t r = run; r < end; ++r) {
      const float* x = o.x + r * features + first;
      const float* dy = o.dy + r * features + first;
      for (size_t k = 0; k < kFeatureBlock; ++k) {
        run_dy[k] += dy[k];
        run_centered[k] += dy[k] * (x[k] - mean[k]);
      }
    }
    for (size_t k = 0; k < kFeatureBlock; ++k) {
      sum_dy[k] += run_dy[k];
      sum_dy_centered[k] += run_centered[k];
    }
  }
}

void affine_gradients(const GradBuffers<float>& o, double epsilon) {
  const size_t features = o.shape.features;
  const auto blocks = static_cast<int64_t>((features + kFeatureBlock - 1) / kFeatureBlock);
#pragma omp parallel for schedule(static)
  for (int64_t block = 0; block < blocks; ++block) {
    const size_t first = static_cast<size_t>(block) * kFeatureBlock;
    const size_t width = std::min(kFeatureBlock, features - first);
    double sum_dy[kFeatureBlock] = {}, sum_dy_centered[kFeatureBlock] = {};
    if (width == kFeatureBlock) {
      affine_gradient_block(o, first, sum_dy, sum_dy_centered);
    } else {
      for (size_t r = 0; r < o.shape.rows; ++r) {
        const float* x = o.x + r * features + first;
        const float* dy = o.dy + r * features + first;
        for (size_t k = 0; k < width; ++k) {
          sum_dy[k] += dy[k];
          sum_dy_centered[k] += static_cast<double>(dy[k]) * (x[k] - o.batch_mean[first + k]);
        }
      }
    }
    for (size_t k = 0; k < width; ++k) {
      const double inv_std = 1.0 / std::sqrt(static_cast<double>(o.batch_variance[first + k]) + epsilon);
      o.dbeta[first + k] = static_cast<float>(sum_dy[k]);
      o.dgamma[first + k] = static_cast<float>(sum_dy_centered[k] * inv_std);
    }
  }
}

// W'[i,j] = W[i,j] s_j and b'_j = (b_j - mean_j) s_j + beta_j with s_j = gamma_j / sqrt(var_j + eps):
// Dense followed by inference BatchNorm as one Dense. Without W (and b) the step writes s and
// beta - mean s, the per-feature affine map that a reader of the BatchNorm applies itself
// (fold_batchnorm_into_pooling). Runs once, after the parameters are loaded.
template <class T>
runtime::StepFactory<T> fold_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const FoldShape shape = fold_shape_of(n, b.plan().graph);
    const int64_t inputs = shape.inputs;
    const auto outputs = static_cast<size_t>(shape.outputs);
    const double epsilon = epsilon_of(n);
    const T *w = b.f(n.inputs[0]), *bias = b.f(n.inputs[1]), *gamma = b.f(n.inputs[2]), *beta = b.f(n.inputs[3]),
            *mean = b.f(n.inputs[4]), *variance = b.f(n.inputs[5]);
    T *w_folded = b.f(n.outputs[0]), *b_folded = b.f(n.outputs[1]);
    auto scale = std::make_shared<std::vector<double>>(outputs);
    return runtime::make_step([=](const runtime::StepContext&) {
      double* s = scale->data();
      for (size_t j = 0; j < outputs; ++j) {
        s[j] = (gamma ? static_cast<double>(gamma[j]) : 1.0) / std::sqrt(static_cast<double>(variance[j]) + epsilon);
        const double shifted = (bias ? static_cast<double>(bias[j]) : 0.0) - static_cast<double>(mean[j]);
        b_folded[j] = static_cast<T>(shifted * s[j] + (beta ? static_cast<double>(beta[j]) : 0.0));
      }
      if (!w) {
        for (size_t j = 0; j < outputs; ++j) w_folded[j] = static_cast<T>(s[j]);
        return;
      }
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < inputs; ++i) {
        const size_t row = static_cast<size_t>(i) * outputs;
        for (size_t j = 0; j < outputs; ++j) w_folded[row + j] = static_cast<T>(static_cast<double>(w[row + j]) * s[j]);
      }
    });
  };
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["BatchNorm"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const ForwardBuffers<double> o = forward_buffers(n, b);
    const double epsilon = epsilon_of(n);
    const double decay = decay_of(n);
    return runtime::make_step([o, epsilon, decay](const runtime::StepContext&) {
      if (!o.training) {
        reference::forward_inference(o.shape, epsilon, o.x, o.gamma, o.beta, o.moving_mean, o.moving_variance, o.y);
        return;
      }
      reference::forward_training(o.shape, epsilon, o.x, o.gamma, o.beta, o.y, o.batch_mean, o.batch_variance);
      reference::update_moving_statistics(o.shape, decay, o.batch_mean, o.batch_variance, o.moving_mean,
                                          o.moving_variance);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::Buffers<double>& b) {
    const GradBuffers<double> o = grad_buffers(n, b, true);
    const double epsilon = epsilon_of(n);
    return runtime::make_step([o, epsilon](const runtime::StepContext&) {
      reference::backward(o.shape, epsilon, o.x, o.gamma, o.batch_mean, o.batch_variance, o.dy, o.dx, o.dgamma,
                          o.dbeta);
    });
  };
  table["FoldBatchNorm"] = fold_factory<double>();
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["BatchNorm"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const ForwardBuffers<float> o = forward_buffers(n, b);
    auto kernel = std::make_shared<cpu::Kernel>(o.shape, epsilon_of(n), decay_of(n), *b.engine);
    dnnl::stream* stream = b.stream;
    return runtime::make_step([o, kernel, stream](const runtime::StepContext&) {
      if (!o.training) {
        kernel->forward_inference(o.x, o.gamma, o.beta, o.moving_mean, o.moving_variance, o.y, *stream);
        return;
      }
      kernel->forward_training(o.x, o.gamma, o.beta, o.y, o.batch_mean, o.batch_variance, *stream);
      stream->wait();
      kernel->update_moving_statistics(o.batch_mean, o.batch_variance, o.moving_mean, o.moving_variance);
    });
  };
  table["BatchNorm.grad"] = [](const ir::Node& n, runtime::Buffers<float>& b) {
    const bool needs_dx = runtime::GradOperands(n).input_grad(0) >= 0;
    const GradBuffers<float> o = grad_buffers(n, b, false);
    const double epsilon = epsilon_of(n);
    auto kernel = needs_dx ? std::make_shared<cpu::Kernel>(o.shape, epsilon, decay_of(n), *b.engine) : nullptr;
    const dnnl::stream* stream = b.stream;
    return runtime::make_step([o, epsilon, kernel, stream](const runtime::StepContext&) {
      if (!kernel) {
        affine_gradients(o, epsilon);
        return;
      }
      kernel->backward(o.x, o.gamma, o.batch_mean, o.batch_variance, o.dy, o.dx, o.dgamma, o.dbeta, *stream);
    });
  };
  table["FoldBatchNorm"] = fold_factory<float>();
}

}  // namespace ynet::ops::batch_norm
