#include "ops/dense/cuda.h"

#include "ops/activation/cuda.h"

namespace ynet::ops::dense::cuda {
namespace {

using runtime::cuda::Epilogue;
using runtime::cuda::MatmulShape;

int64_t rows(const DenseShape& s) { return static_cast<int64_t>(s.rows); }
int64_t inputs(const DenseShape& s) { return static_cast<int64_t>(s.inputs); }
int64_t outputs(const DenseShape& s) { return static_cast<int64_t>(s.outputs); }

Epilogue epilogue_of(const DenseShape& s, ActivationKind activation) {
  if (activation == ActivationKind::relu) return s.has_bias ? Epilogue::bias_relu : Epilogue::relu;
  return s.has_bias ? Epilogue::bias : Epilogue::none;
}

bool fused(ActivationKind activation) {
  return activation == ActivationKind::none || activation == ActivationKind::relu;
}

}  // namespace

Forward::Forward(const DenseShape& shape, ActivationKind activation, const float* bias,
                 runtime::cuda::DeviceBuffers& buffers)
    : shape_(shape),
      activation_(activation),
      stream_(buffers.stream()),
      product_(buffers, MatmulShape{rows(shape), outputs(shape), inputs(shape)}, epilogue_of(shape, activation),
               shape.has_bias ? bias : nullptr) {}

void Forward::run(const float* x, const float* w, float* y) const {
  product_.run(x, w, y);
  if (!fused(activation_)) activation::cuda::forward(activation_, y, y, rows(shape_) * outputs(shape_), stream_);
}

Backward::Backward(const DenseShape& shape, ActivationKind activation, bool needs_dx,
                   runtime::cuda::DeviceBuffers& buffers)
    : shape_(shape),
      activation_(activation),
      stream_(buffers.stream()),
      weights_(buffers, MatmulShape{inputs(shape), outputs(shape), rows(shape), true, false}),
      bias_chunks_(runtime::cuda::ColumnChunks::of(rows(shape), outputs(shape))) {
  if (needs_dx)
    data_ = std::make_unique<runtime::cuda::PlannedMatmul>(
        buffers, MatmulShape{rows(shape), inputs(shape), outputs(shape), false, true});
  const size_t dz_bytes =
      activation == ActivationKind::none ? 0 : static_cast<size_t>(rows(shape) * outputs(shape)) * sizeof(float);
  const auto scratch = buffers.transient({dz_bytes, shape.has_bias ? bias_chunks_.partial_bytes(1) : 0});
  dz_ = scratch[0];
  partials_ = scratch[1];
}

void Backward::run(const float* x, const float* w, const float* y, const float* dy, float* dx, float* dw,
                   float* db) const {
  const float* dz = dy;
  if (activation_ != ActivationKind::none) {
    activation::cuda::backward(activation_, y, dy, dz_.as<float>(), rows(shape_) * outputs(shape_), stream_);
    dz = dz_.as<float>();
  }
  if (data_) data_->run(dz, w, dx);
  if (dw) weights_.run(x, dz, dw);
  if (shape_.has_bias) runtime::cuda::column_sums(bias_chunks_, dz, db, partials_.as<double>(), stream_);
}

}  // namespace ynet::ops::dense::cuda
