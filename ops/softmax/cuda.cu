#include "ops/softmax/cuda.h"
#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"

namespace ynet::ops::softmax::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;

struct Dims {
  int64_t batch, frames, runs, width;
};

__global__ void forward_kernel(Dims d, const float* x, const int32_t* lengths, float* y) {
  const int64_t total = d.batch * d.frames * d.runs;
  for (int64_t r = global_index(); r < total; r += global_stride()) {
    const int64_t b = r / (d.frames * d.runs), t = (r / d.runs) % d.frames;
    const float* in = x + r * d.width;
    float* out = y + r * d.width;
    const int64_t length = lengths == nullptr ? d.frames : lengths[b];
    const int64_t valid = length <= 0 ? 0 : (length < d.frames ? length : d.frames);
    if (t >= valid) {
      for (int64_t k = 0; k < d.width; ++k) out[k] = 0.f;
      continue;
    }
    float top = in[0];
    for (int64_t k = 1; k < d.width; ++k) top = fmaxf(top, in[k]);
    double sum = 0.0;
    for (int64_t k = 0; k < d.width; ++k) sum += exp(static_cast<double>(in[k] - top));
    for (int64_t k = 0; k < d.width; ++k) out[k] = static_cast<float>(exp(static_cast<double>(in[k] - top)) / sum);
  }
}

__global__ void backward_kernel(int64_t runs, int64_t width, const float* y, const float* dy, float* dx) {
  for (int64_t r = global_index(); r < runs; r += global_stride()) {
    const int64_t at = r * width;
    double dot = 0.0;
    for (int64_t k = 0; k < width; ++k) dot += static_cast<double>(y[at + k]) * dy[at + k];
    for (int64_t k = 0; k < width; ++k) dx[at + k] = static_cast<float>(y[at + k] * (dy[at + k] - dot));
  }
}

}  // namespace

void forward(const SoftmaxShape& shape, const float* x, const std::int32_t* lengths, float* y, cudaStream_t stream) {
  const Dims d{static_cast<int64_t>(shape.batch), static_cast<int64_t>(shape.frames), static_cast<int64_t>(shape.runs),
               static_cast<int64_t>(shape.width)};
  const int64_t runs = d.batch * d.frames * d.runs;
  if (runs == 0) return;
  forward_kernel<<<grid_for(runs), runtime::cuda::kThreads, 0, stream>>>(d, x, lengths, y);
  YNET_CUDA_CHECK_LAUNCH("softmax forward");
}

void backward(const SoftmaxShape& shape, const float* y, const float* dy, float* dx, cudaStream_t stream) {
  const auto runs = static_cast<int64_t>(shape.batch * shape.frames * shape.runs);
  if (runs == 0) return;
  backward_kernel<<<grid_for(runs), runtime::cuda::kThreads, 0, stream>>>(runs, static_cast<int64_t>(shape.width), y,
                                                                          dy, dx);
  YNET_CUDA_CHECK_LAUNCH("softmax backward");
}

}  // namespace ynet::ops::softmax::cuda
