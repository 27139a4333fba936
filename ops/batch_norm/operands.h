#pragma once
// Reading BatchNorm's and FoldBatchNorm's operands, for every backend's adapter (steps.cpp,
// cuda_steps.cpp). Operand lists: lower.cpp ("BatchNorm"), steps.cpp ("FoldBatchNorm").
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "plan/graph.h"
#include "ops/batch_norm/reference.h"

namespace ynet::ops::batch_norm {

inline BatchNormShape shape_of(const ir::Value& x) {
  BatchNormShape s;
  s.features = static_cast<size_t>(x.shape.empty() ? 1 : x.shape.back());
  s.rows = static_cast<size_t>(x.elements()) / std::max<size_t>(s.features, 1);
  return s;
}

inline double epsilon_of(const ir::Node& n) { return ir::attr_double(n.attrs, "epsilon", kDefaultEpsilon); }
// The spec calls the moving-average decay `momentum`, as Keras does.
inline double decay_of(const ir::Node& n) { return ir::attr_double(n.attrs, "momentum", kDefaultDecay); }

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

}  // namespace ynet::ops::batch_norm
