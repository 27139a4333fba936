#pragma once
// Dense on cuBLASLt (math and layouts as in reference.h; the weights stay in the TensorFlow
// [inputs, outputs] layout, read as the transpose of a column-major matrix, so nothing is copied).
// Forward is one planned product with the bias and ReLU in cuBLASLt's epilogue; sigmoid and tanh,
// which it cannot fuse, run in place after it. Backward takes the activation's derivative from y
// into scratch, then dx = dz W^T and dW = x^T dz as two more planned products, and db as the
// column sums of dz.
#include <memory>

#include "ops/support/cuda/matmul.h"
#include "ops/support/cuda/reduce.h"
#include "ops/activation/kind.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense::cuda {

class Forward {
 public:
  // bias: the device bias [outputs] when the shape has one (it becomes part of the plan).
  Forward(const DenseShape& shape, ActivationKind activation, const float* bias, runtime::cuda::DeviceBuffers& buffers);
  void run(const float* x, const float* w, float* y) const;

 private:
  DenseShape shape_;
  ActivationKind activation_;
  cudaStream_t stream_;
  runtime::cuda::PlannedMatmul product_;
};

class Backward {
 public:
  Backward(const DenseShape& shape, ActivationKind activation, bool needs_dx, runtime::cuda::DeviceBuffers& buffers);
  // dx is ignored unless needs_dx, db unless the shape has a bias; dw (null when the weights are not
  // trained) and db are overwritten.
  void run(const float* x, const float* w, const float* y, const float* dy, float* dx, float* dw, float* db) const;

 private:
  DenseShape shape_;
  ActivationKind activation_;
  cudaStream_t stream_;
  std::unique_ptr<runtime::cuda::PlannedMatmul> data_;  // dx = dz W^T, when wanted
  runtime::cuda::PlannedMatmul weights_;                // dW = x^T dz
  runtime::cuda::ColumnChunks bias_chunks_;
  runtime::cuda::Scratch dz_, partials_;
};

}  // namespace ynet::ops::dense::cuda
