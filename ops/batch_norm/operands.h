#pragma once
// The operands of BatchNorm's steps, read once for every backend (Buffers<double>, Buffers<float>,
// DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "BatchNorm"       inputs (x, gamma or -1, beta or -1, moving_mean, moving_variance[, lengths]);
//                     outputs in training (y, moving_mean, moving_variance, batch_mean,
//                     batch_variance), in inference (y); attributes training, epsilon, momentum (the
//                     moving averages' decay, named as Keras names it). The moving statistics are
//                     updated in place. lengths (int32 [B], frames x [B, T, F] in training plans
//                     only): the statistics count the valid frames alone, padded frames get y = 0.
//   "BatchNorm.grad"  reads x, gamma, lengths (where the forward step has them), the saved batch
//                     statistics and dy; outputs dx, dgamma, dbeta (each -1 when nothing reads it)
//   "FoldBatchNorm"   inputs (W or -1, b or -1, gamma or -1, beta or -1, moving_mean,
//                     moving_variance), outputs (W' or scale, b' or shift): the inference prologue that
//                     merges a BatchNorm into the Dense before it (fold_batchnorm_into_dense) or, without
//                     W, into the pooling after it (fold_batchnorm_into_pooling)
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/batch_norm/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::batch_norm {

// With lengths, x is [B, T, F] and the rows are B x T frames.
inline BatchNormShape shape_of(const ir::Value& x, bool with_lengths) {
  BatchNormShape s;
  s.features = static_cast<size_t>(x.shape.empty() ? 1 : x.shape.back());
  s.rows = static_cast<size_t>(x.elements()) / std::max<size_t>(s.features, 1);
  if (with_lengths) {
    if (x.shape.size() != 3) throw std::invalid_argument("BatchNorm takes lengths only for frames [B, T, F]");
    s.time = static_cast<size_t>(x.shape[1]);
  }
  return s;
}

// The forward step's lengths operand: its sixth input, -1 without.
inline int lengths_input(const ir::Node& forward) { return forward.inputs.size() > 5 ? forward.inputs[5] : -1; }

inline double epsilon_of(const ir::Node& n) { return ir::attr_double(n.attrs, "epsilon", kDefaultEpsilon); }
inline double decay_of(const ir::Node& n) { return ir::attr_double(n.attrs, "momentum", kDefaultDecay); }

// How a step's kernels take the operands a plan leaves out (gamma without `scale`, beta without
// `center`, gradients nobody reads): as null pointers, which the CUDA kernels read as ones and zeros
// and skip; or as bind-time memory standing in for them, for the host kernels, which read and write
// every operand: gamma ones, beta zeros, gradients into scratch.
enum class Absent { null, stand_in };

// The stand-ins' memory, owned by the operands that point into it.
template <class T>
class StandIns {
 public:
  const T* or_filled(const T* operand, size_t count, T value) {
    return operand ? operand : blocks_.emplace_back(count, value).data();
  }
  T* or_scratch(T* operand, size_t count) { return operand ? operand : blocks_.emplace_back(count, T(0)).data(); }

 private:
  std::deque<std::vector<T>> blocks_;  // a deque never moves its elements, so pointers stay valid
};

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  BatchNormShape shape;
  bool training;
  double epsilon, decay;
  const T* x;
  const T* gamma;
  const T* beta;
  T* moving_mean;
  T* moving_variance;
  T* y;
  const int32_t* lengths = nullptr;  // training over frames only: nullptr means every row counts
  T* batch_mean = nullptr;           // training only
  T* batch_variance = nullptr;
  std::shared_ptr<StandIns<T>> stand_ins;  // Absent::stand_in only

  // Inference normalises every row with the moving statistics and reads no lengths.
  ForwardOperands(const ir::Node& n, B& b, Absent absent = Absent::null)
      : training(ir::attr_bool(n.attrs, "training", true)),
        epsilon(epsilon_of(n)),
        decay(decay_of(n)) {
    if (n.inputs.size() < 5 || n.inputs.size() > 6 || n.outputs.size() != (training ? 5u : 1u))
      throw std::invalid_argument("BatchNorm expects (x, gamma, beta, moving_mean, moving_variance[, lengths]) and " +
                                  std::string(training ? "5 outputs in training" : "1 output in inference"));
    const int lengths_id = training ? lengths_input(n) : -1;
    shape = shape_of(b.plan().graph.value(n.inputs[0]), lengths_id >= 0);
    lengths = b.i(lengths_id);
    x = b.f(n.inputs[0]);
    gamma = b.f(n.inputs[1]);
    beta = b.f(n.inputs[2]);
    moving_mean = b.f(n.inputs[3]);
    moving_variance = b.f(n.inputs[4]);
    y = b.f(n.outputs[0]);
    if (training) {
      batch_mean = b.f(n.outputs[3]);
      batch_variance = b.f(n.outputs[4]);
    }
    if (absent == Absent::stand_in) {
      stand_ins = std::make_shared<StandIns<T>>();
      gamma = stand_ins->or_filled(gamma, shape.features, T(1));
      beta = stand_ins->or_filled(beta, shape.features, T(0));
    }
  }
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  BatchNormShape shape;
  double epsilon, decay;
  const T* x;
  const T* gamma;
  const int32_t* lengths;  // nullptr: every row counts
  const T* batch_mean;
  const T* batch_variance;
  const T* dy;
  T* dx;  // nullptr when nothing reads it, unless `absent_dx` asks for scratch
  T* dgamma;
  T* dbeta;
  std::shared_ptr<StandIns<T>> stand_ins;  // Absent::stand_in only

  // `absent` stands for gamma, dgamma and dbeta; `absent_dx` for dx, which is as large as x.
  BackwardOperands(const ir::Node& n, B& b, Absent absent = Absent::null, Absent absent_dx = Absent::null)
      : BackwardOperands(runtime::GradOperands(n), n, b) {
    if (absent == Absent::null && absent_dx == Absent::null) return;
    stand_ins = std::make_shared<StandIns<T>>();
    if (absent == Absent::stand_in) {
      gamma = stand_ins->or_filled(gamma, shape.features, T(1));
      dgamma = stand_ins->or_scratch(dgamma, shape.features);
      dbeta = stand_ins->or_scratch(dbeta, shape.features);
    }
    if (absent_dx == Absent::stand_in) dx = stand_ins->or_scratch(dx, shape.rows * shape.features);
  }

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(b.plan().graph.value(required(g, n).forward_input(0)), lengths_of(g, n) >= 0)),
        epsilon(epsilon_of(n)),
        decay(decay_of(n)),
        x(b.f(g.forward_input(0))),
        gamma(b.f(g.forward_input(1))),
        lengths(b.i(lengths_of(g, n))),
        batch_mean(b.f(g.forward_output(3))),
        batch_variance(b.f(g.forward_output(4))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))),
        dgamma(b.f(g.input_grad(1))),
        dbeta(b.f(g.input_grad(2))) {}
  static int lengths_of(const runtime::GradOperands& g, const ir::Node& n) {
    return ir::attr_int(n.attrs, "forward_inputs", 5) > 5 ? g.forward_input(5) : -1;
  }
  static const runtime::GradOperands& required(const runtime::GradOperands& g, const ir::Node& n) {
    if (g.forward_input(0) < 0 || g.forward_output(3) < 0 || g.forward_output(4) < 0 || g.output_grad(0) < 0)
      throw std::invalid_argument("BatchNorm.grad needs x, the saved batch statistics and the gradient of y");
    if (ir::attr_int(n.attrs, "forward_inputs", 5) > 5 && g.forward_input(5) < 0)
      throw std::invalid_argument("BatchNorm.grad over frames needs the lengths");
    return g;
  }
};

// A FoldBatchNorm step: into a Dense's weights [inputs, outputs], or, without weights (inputs 0),
// into the per-feature scale and shift of `outputs` features.
struct FoldShape {
  bool into_weights = true;
  int64_t inputs = 0, outputs = 0;
};

inline FoldShape fold_shape_of(const ir::Node& n, const ir::Graph& g) {
  if (n.inputs.size() != 6 || n.outputs.size() != 2)
    throw std::invalid_argument(
        "FoldBatchNorm expects (W or -1, b or -1, gamma, beta, moving_mean, moving_variance) -> (W' or scale, b' or shift)");
  FoldShape s;
  s.into_weights = n.inputs[0] >= 0;
  const ir::Value& v = g.value(s.into_weights ? n.inputs[0] : n.inputs[4]);
  if (s.into_weights && v.shape.size() != 2)
    throw std::invalid_argument("FoldBatchNorm folds a [inputs, outputs] weight matrix");
  s.inputs = s.into_weights ? v.shape[0] : 0;
  s.outputs = v.shape.back();
  return s;
}

// Absent operands are null pointers on every backend: the fold reads them as ones and zeros itself.
template <runtime::StepBuffers B>
struct FoldOperands {
  using T = typename B::Element;
  FoldShape shape;
  double epsilon;
  const T* w;  // nullptr: fold into a scale and shift
  const T* bias;
  const T* gamma;
  const T* beta;
  const T* mean;
  const T* variance;
  T* w_folded;  // W', or the scale
  T* b_folded;  // b', or the shift

  FoldOperands(const ir::Node& n, B& b)
      : shape(fold_shape_of(n, b.plan().graph)),
        epsilon(epsilon_of(n)),
        w(b.f(n.inputs[0])),
        bias(b.f(n.inputs[1])),
        gamma(b.f(n.inputs[2])),
        beta(b.f(n.inputs[3])),
        mean(b.f(n.inputs[4])),
        variance(b.f(n.inputs[5])),
        w_folded(b.f(n.outputs[0])),
        b_folded(b.f(n.outputs[1])) {}
};

}  // namespace ynet::ops::batch_norm
