#include "ops/support/cuda/column_reduce.cuh"
#include "ops/support/cuda/cuda_check.h"
#include "ops/batch_norm/cuda.h"

namespace ynet::ops::batch_norm::cuda {
namespace {

using runtime::cuda::ColumnChunks;
using runtime::cuda::column_block;
using runtime::cuda::column_grid;
using runtime::cuda::column_partials;
using runtime::cuda::column_total;
using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

ColumnChunks chunks_of(const BatchNormShape& s) {
  return ColumnChunks::of(static_cast<int64_t>(s.rows), static_cast<int64_t>(s.features));
}

size_t aligned(size_t bytes) { return (bytes + 255) / 256 * 256; }

// The rows that count (reference.h): every row without lengths, the first lengths[b] of video b's
// `time` rows with them.
struct Mask {
  const int32_t* lengths;
  int64_t time;
  __device__ int64_t valid(int64_t b) const {
    const int32_t length = lengths[b];
    return length <= 0 ? 0 : (length < time ? length : time);
  }
  __device__ bool counts(int64_t r) const { return lengths == nullptr || r % time < valid(r / time); }
  __device__ int64_t counted(int64_t rows) const {
    if (lengths == nullptr) return rows;
    int64_t n = 0;
    for (int64_t b = 0; b < rows / time; ++b) n += valid(b);
    return n;
  }
};

Mask mask_of(const BatchNormShape& s, const int32_t* lengths) {
  return Mask{lengths, static_cast<int64_t>(s.time > 0 ? s.time : 1)};
}

// The workspace: column partials (two statistics), then per feature the mean in double and
// three float coefficients.
struct Workspace {
  double* partials;
  double* mean;
  float* a;
  float* b;
  float* c;

  Workspace(const BatchNormShape& s, void* base) {
    char* p = static_cast<char*>(base);
    partials = reinterpret_cast<double*>(p);
    p += aligned(chunks_of(s).partial_bytes(2));
    mean = reinterpret_cast<double*>(p);
    p += aligned(s.features * sizeof(double));
    a = reinterpret_cast<float*>(p);
    p += aligned(s.features * sizeof(float));
    b = reinterpret_cast<float*>(p);
    p += aligned(s.features * sizeof(float));
    c = reinterpret_cast<float*>(p);
  }
};

struct Values {
  const float* x;
  int64_t cols;
  Mask mask;
  __device__ void operator()(int64_t r, int64_t c, double* acc) const {
    if (mask.counts(r)) acc[0] += x[r * cols + c];
  }
};

struct CenteredSquares {
  const float* x;
  const double* mean;
  int64_t cols;
  Mask mask;
  __device__ void operator()(int64_t r, int64_t c, double* acc) const {
    if (!mask.counts(r)) return;
    const double d = x[r * cols + c] - mean[c];
    acc[0] += d * d;
  }
};

// dy and dy (x - mean), for the gradients of the affine parameters and of x.
struct GradientSums {
  const float* x;
  const float* dy;
  const float* mean;
  int64_t cols;
  Mask mask;
  __device__ void operator()(int64_t r, int64_t c, double* acc) const {
    if (!mask.counts(r)) return;
    const int64_t k = r * cols + c;
    acc[0] += dy[k];
    acc[1] += static_cast<double>(dy[k]) * (x[k] - mean[c]);
  }
};

__global__ void finish_mean(ColumnChunks c, Mask mask, const double* partials, double* mean, float* batch_mean) {
  const int64_t n = mask.counted(c.rows);
  for (int64_t f = global_index(); f < c.cols; f += global_stride()) {
    mean[f] = n > 0 ? column_total(partials, c, 0, f) / static_cast<double>(n) : 0.0;
    batch_mean[f] = static_cast<float>(mean[f]);
  }
}

// Batch variance, the normalisation y = (x - mean) scale + beta as (a = mean, b = scale), and the
// moving statistics (unchanged by a batch without a valid frame).
__global__ void finish_variance(ColumnChunks c, Mask mask, const double* partials, const double* mean,
                                double epsilon, double decay, const float* gamma, float* batch_variance,
                                float* moving_mean, float* moving_variance, float* centre, float* scale) {
  const int64_t n = mask.counted(c.rows);
  const double bessel = n > 1 ? static_cast<double>(n) / static_cast<double>(n - 1) : 1.0;
  for (int64_t f = global_index(); f < c.cols; f += global_stride()) {
    const double variance = n > 0 ? column_total(partials, c, 0, f) / static_cast<double>(n) : 0.0;
    batch_variance[f] = static_cast<float>(variance);
    centre[f] = static_cast<float>(mean[f]);
    scale[f] = static_cast<float>((gamma ? gamma[f] : 1.0) / sqrt(variance + epsilon));
    if (n == 0) continue;
    moving_mean[f] = static_cast<float>(decay * moving_mean[f] + (1.0 - decay) * mean[f]);
    moving_variance[f] = static_cast<float>(decay * moving_variance[f] + (1.0 - decay) * bessel * variance);
  }
}

__global__ void inference_coefficients(int64_t features, double epsilon, const float* gamma, const float* mean,
                                       const float* variance, float* centre, float* scale) {
  for (int64_t f = global_index(); f < features; f += global_stride()) {
    centre[f] = mean[f];
    scale[f] = static_cast<float>((gamma ? gamma[f] : 1.0) / sqrt(static_cast<double>(variance[f]) + epsilon));
  }
}

// y = 0 on the rows that do not count.
__global__ void normalize(int64_t count, int64_t features, Mask mask, const float* x, const float* centre,
                          const float* scale, const float* beta, float* y) {
  for (int64_t k = global_index(); k < count; k += global_stride()) {
    const int64_t f = k % features;
    y[k] = mask.counts(k / features) ? (x[k] - centre[f]) * scale[f] + (beta ? beta[f] : 0.f) : 0.f;
  }
}

// dgamma, dbeta, and the coefficients of dx = a (dy - b - (x - mean) c) with a = gamma / std,
// b = sum(dy) / N, c = sum(dy xhat) / (N std).
__global__ void finish_backward(ColumnChunks c, Mask mask, const double* partials, double epsilon, const float* gamma,
                                const float* variance, float* dgamma, float* dbeta, float* a, float* b, float* cc) {
  const int64_t n = mask.counted(c.rows);
  const auto rows = static_cast<double>(n > 0 ? n : 1);
  for (int64_t f = global_index(); f < c.cols; f += global_stride()) {
    const double inv_std = 1.0 / sqrt(static_cast<double>(variance[f]) + epsilon);
    const double sum_dy = column_total(partials, c, 0, f);
    const double sum_dy_xhat = column_total(partials, c, 1, f) * inv_std;
    if (dbeta) dbeta[f] = static_cast<float>(sum_dy);
    if (dgamma) dgamma[f] = static_cast<float>(sum_dy_xhat);
    a[f] = static_cast<float>((gamma ? gamma[f] : 1.0) * inv_std);
    b[f] = static_cast<float>(sum_dy / rows);
    cc[f] = static_cast<float>(sum_dy_xhat * inv_std / rows);
  }
}

// dx = 0 on the rows that do not count.
__global__ void input_gradient(int64_t count, int64_t features, Mask mask, const float* x, const float* mean,
                               const float* dy, const float* a, const float* b, const float* c, float* dx) {
  for (int64_t k = global_index(); k < count; k += global_stride()) {
    const int64_t f = k % features;
    dx[k] = mask.counts(k / features) ? a[f] * (dy[k] - b[f] - (x[k] - mean[f]) * c[f]) : 0.f;
  }
}

__global__ void fold_bias(int64_t outputs, double epsilon, const float* bias, const float* gamma, const float* beta,
                          const float* mean, const float* variance, double* scale, float* b_folded) {
  for (int64_t j = global_index(); j < outputs; j += global_stride()) {
    scale[j] = (gamma ? gamma[j] : 1.0) / sqrt(static_cast<double>(variance[j]) + epsilon);
    const double shifted = (bias ? static_cast<double>(bias[j]) : 0.0) - mean[j];
    b_folded[j] = static_cast<float>(shifted * scale[j] + (beta ? beta[j] : 0.0));
  }
}

// Without w, w_folded receives the scale itself (count == outputs).
__global__ void fold_weights(int64_t count, int64_t outputs, const float* w, const double* scale, float* w_folded) {
  for (int64_t k = global_index(); k < count; k += global_stride())
    w_folded[k] = static_cast<float>(w ? static_cast<double>(w[k]) * scale[k % outputs] : scale[k]);
}

}  // namespace

size_t workspace_bytes(const BatchNormShape& shape) {
  return aligned(chunks_of(shape).partial_bytes(2)) + aligned(shape.features * sizeof(double)) +
         3 * aligned(shape.features * sizeof(float));
}

void forward_training(const BatchNormShape& shape, double epsilon, double decay, const float* x, const float* gamma,
                      const float* beta, const int32_t* lengths, float* y, float* batch_mean, float* batch_variance,
                      float* moving_mean, float* moving_variance, void* workspace, cudaStream_t stream) {
  const ColumnChunks c = chunks_of(shape);
  const Workspace w(shape, workspace);
  const Mask mask = mask_of(shape, lengths);
  const auto features = static_cast<int64_t>(shape.features);
  column_partials<1><<<column_grid(c), column_block(), 0, stream>>>(c, Values{x, features, mask}, w.partials);
  YNET_CUDA_CHECK_LAUNCH("batch norm mean");
  finish_mean<<<grid_for(features), kThreads, 0, stream>>>(c, mask, w.partials, w.mean, batch_mean);
  YNET_CUDA_CHECK_LAUNCH("batch norm finish_mean");
  column_partials<1><<<column_grid(c), column_block(), 0, stream>>>(c, CenteredSquares{x, w.mean, features, mask},
                                                                     w.partials);
  YNET_CUDA_CHECK_LAUNCH("batch norm variance");
  finish_variance<<<grid_for(features), kThreads, 0, stream>>>(c, mask, w.partials, w.mean, epsilon, decay, gamma,
                                                               batch_variance, moving_mean, moving_variance, w.a, w.b);
  YNET_CUDA_CHECK_LAUNCH("batch norm finish_variance");
  const auto count = static_cast<int64_t>(shape.rows * shape.features);
  normalize<<<grid_for(count), kThreads, 0, stream>>>(count, features, mask, x, w.a, w.b, beta, y);
  YNET_CUDA_CHECK_LAUNCH("batch norm normalize");
}

void forward_inference(const BatchNormShape& shape, double epsilon, const float* x, const float* gamma,
                       const float* beta, const float* moving_mean, const float* moving_variance, float* y,
                       void* workspace, cudaStream_t stream) {
  const Workspace w(shape, workspace);
  const auto features = static_cast<int64_t>(shape.features);
  inference_coefficients<<<grid_for(features), kThreads, 0, stream>>>(features, epsilon, gamma, moving_mean,
                                                                      moving_variance, w.a, w.b);
  YNET_CUDA_CHECK_LAUNCH("batch norm inference_coefficients");
  const auto count = static_cast<int64_t>(shape.rows * shape.features);
  normalize<<<grid_for(count), kThreads, 0, stream>>>(count, features, Mask{nullptr, 1}, x, w.a, w.b, beta, y);
  YNET_CUDA_CHECK_LAUNCH("batch norm normalize");
}

void backward(const BatchNormShape& shape, double epsilon, const float* x, const float* gamma,
              const int32_t* lengths, const float* batch_mean, const float* batch_variance, const float* dy,
              float* dx, float* dgamma, float* dbeta, void* workspace, cudaStream_t stream) {
  const ColumnChunks c = chunks_of(shape);
  const Workspace w(shape, workspace);
  const Mask mask = mask_of(shape, lengths);
  const auto features = static_cast<int64_t>(shape.features);
  column_partials<2><<<column_grid(c), column_block(), 0, stream>>>(
      c, GradientSums{x, dy, batch_mean, features, mask}, w.partials);
  YNET_CUDA_CHECK_LAUNCH("batch norm gradient sums");
  finish_backward<<<grid_for(features), kThreads, 0, stream>>>(c, mask, w.partials, epsilon, gamma, batch_variance,
                                                               dgamma, dbeta, w.a, w.b, w.c);
  YNET_CUDA_CHECK_LAUNCH("batch norm finish_backward");
  if (dx == nullptr) return;
  const auto count = static_cast<int64_t>(shape.rows * shape.features);
  input_gradient<<<grid_for(count), kThreads, 0, stream>>>(count, features, mask, x, batch_mean, dy, w.a, w.b, w.c,
                                                           dx);
  YNET_CUDA_CHECK_LAUNCH("batch norm input_gradient");
}

size_t fold_workspace_bytes(int64_t outputs) { return static_cast<size_t>(outputs) * sizeof(double); }

void fold(int64_t inputs, int64_t outputs, double epsilon, const float* w, const float* bias, const float* gamma,
          const float* beta, const float* mean, const float* variance, float* w_folded, float* b_folded,
          void* workspace, cudaStream_t stream) {
  auto* scale = static_cast<double*>(workspace);
  fold_bias<<<grid_for(outputs), kThreads, 0, stream>>>(outputs, epsilon, bias, gamma, beta, mean, variance, scale,
                                                        b_folded);
  YNET_CUDA_CHECK_LAUNCH("fold_bias");
  const int64_t count = w ? inputs * outputs : outputs;
  fold_weights<<<grid_for(count), kThreads, 0, stream>>>(count, outputs, w, scale, w_folded);
  YNET_CUDA_CHECK_LAUNCH("fold_weights");
}

}  // namespace ynet::ops::batch_norm::cuda
