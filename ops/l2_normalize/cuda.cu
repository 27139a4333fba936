#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/l2_normalize/cuda.h"

namespace ynet::ops::l2_normalize::cuda {
namespace {

using runtime::cuda::block_sum;

constexpr int kRowThreads = 128;

__global__ void forward_kernel(int64_t rows, int64_t features, double epsilon, const float* x, float* y) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* row = x + r * features;
    double squares = 0.0;
    for (int64_t f = threadIdx.x; f < features; f += blockDim.x) squares += static_cast<double>(row[f]) * row[f];
    squares = block_sum(squares);
    const double norm = sqrt(squares > epsilon ? squares : epsilon);
    for (int64_t f = threadIdx.x; f < features; f += blockDim.x) y[r * features + f] = static_cast<float>(row[f] / norm);
  }
}

__global__ void backward_kernel(int64_t rows, int64_t features, double epsilon, const float* x, const float* dy,
                                float* dx) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* row = x + r * features;
    const float* upstream = dy + r * features;
    double squares = 0.0, dot = 0.0;
    for (int64_t f = threadIdx.x; f < features; f += blockDim.x) {
      squares += static_cast<double>(row[f]) * row[f];
      dot += static_cast<double>(row[f]) * upstream[f];
    }
    squares = block_sum(squares);
    dot = block_sum(dot);
    float* grad = dx + r * features;
    if (squares <= epsilon) {
      const double scale = 1.0 / sqrt(epsilon);
      for (int64_t f = threadIdx.x; f < features; f += blockDim.x) grad[f] = static_cast<float>(upstream[f] * scale);
      continue;
    }
    const double norm = sqrt(squares);
    const double y_dot_dy = dot / norm;
    for (int64_t f = threadIdx.x; f < features; f += blockDim.x)
      grad[f] = static_cast<float>((upstream[f] - row[f] / norm * y_dot_dy) / norm);
  }
}

unsigned row_grid(int64_t rows) {
  return static_cast<unsigned>(rows < runtime::cuda::kMaxBlocks ? rows : runtime::cuda::kMaxBlocks);
}

}  // namespace

void forward(const L2NormalizeShape& shape, double epsilon, const float* x, float* y, cudaStream_t stream) {
  const auto rows = static_cast<int64_t>(shape.rows);
  if (rows == 0) return;
  forward_kernel<<<row_grid(rows), kRowThreads, 0, stream>>>(rows, static_cast<int64_t>(shape.features), epsilon, x, y);
  YNET_CUDA_CHECK_LAUNCH("l2 normalize forward");
}

void backward(const L2NormalizeShape& shape, double epsilon, const float* x, const float* dy, float* dx,
              cudaStream_t stream) {
  const auto rows = static_cast<int64_t>(shape.rows);
  if (rows == 0) return;
  backward_kernel<<<row_grid(rows), kRowThreads, 0, stream>>>(rows, static_cast<int64_t>(shape.features), epsilon, x,
                                                              dy, dx);
  YNET_CUDA_CHECK_LAUNCH("l2 normalize backward");
}

}  // namespace ynet::ops::l2_normalize::cuda
