#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/sigmoid_cross_entropy/cuda.h"

namespace ynet::ops::sigmoid_cross_entropy::cuda {
namespace {

using runtime::cuda::block_sum;
using runtime::cuda::global_index;
using runtime::cuda::global_stride;

constexpr int kRowThreads = 256;

struct Operands {
  int64_t batch, classes;
  Input input;
  double epsilon;  // probabilities: the starter code's epsilon inside the logarithms
  const float *values, *labels, *weights;
};

// The loss of one entry (reference.h's elementwise_loss, or probability_loss.h's term).
__device__ inline double entry_loss(const Operands& o, int64_t k, int64_t c) {
  const double x = o.values[k], z = o.labels[k], q = o.weights ? o.weights[c] : 1.0;
  if (o.input == Input::probabilities) return -(q * z * log(x + o.epsilon) + (1.0 - z) * log(1.0 - x + o.epsilon));
  const double softplus_minus_x = log1p(exp(-fabs(x))) + (x < 0.0 ? -x : 0.0);
  return (1.0 - z) * x + (1.0 + (q - 1.0) * z) * softplus_minus_x;
}

__device__ inline double entry_gradient(const Operands& o, int64_t k, int64_t c) {
  const double x = o.values[k], z = o.labels[k], q = o.weights ? o.weights[c] : 1.0;
  if (o.input == Input::probabilities) return -q * z / (x + o.epsilon) + (1.0 - z) / (1.0 - x + o.epsilon);
  const double e = exp(-fabs(x));
  const double sigmoid_minus_x = x >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
  return (1.0 - z) - (1.0 + (q - 1.0) * z) * sigmoid_minus_x;
}

__global__ void row_sums_kernel(Operands o, double* row_sums) {
  for (int64_t b = blockIdx.x; b < o.batch; b += gridDim.x) {
    double sum = 0.0;
    for (int64_t c = threadIdx.x; c < o.classes; c += blockDim.x) sum += entry_loss(o, b * o.classes + c, c);
    sum = block_sum(sum);
    if (threadIdx.x == 0) row_sums[b] = sum;
  }
}

__global__ void mean_kernel(int64_t batch, const double* row_sums, float* loss) {
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b) total += row_sums[b];
  *loss = static_cast<float>(total / static_cast<double>(batch));
}

__global__ void backward_kernel(Operands o, const float* dloss, float* dvalues) {
  const double scale = static_cast<double>(*dloss) / static_cast<double>(o.batch);
  for (int64_t k = global_index(); k < o.batch * o.classes; k += global_stride())
    dvalues[k] = static_cast<float>(scale * entry_gradient(o, k, k % o.classes));
}

}  // namespace

void forward(const CrossEntropyShape& shape, Input input, double epsilon, const float* values, const float* labels,
             const float* positive_weights, float* loss, void* workspace, cudaStream_t stream) {
  const Operands o{static_cast<int64_t>(shape.batch), static_cast<int64_t>(shape.classes), input, epsilon, values,
                   labels, positive_weights};
  auto* row_sums = static_cast<double*>(workspace);
  const auto blocks = static_cast<unsigned>(o.batch < runtime::cuda::kMaxBlocks ? o.batch : runtime::cuda::kMaxBlocks);
  row_sums_kernel<<<blocks, kRowThreads, 0, stream>>>(o, row_sums);
  YNET_CUDA_CHECK_LAUNCH("cross-entropy row sums");
  mean_kernel<<<1, 1, 0, stream>>>(o.batch, row_sums, loss);
  YNET_CUDA_CHECK_LAUNCH("cross-entropy mean");
}

void backward(const CrossEntropyShape& shape, Input input, double epsilon, const float* values, const float* labels,
              const float* positive_weights, const float* dloss, float* dvalues, cudaStream_t stream) {
  const Operands o{static_cast<int64_t>(shape.batch), static_cast<int64_t>(shape.classes), input, epsilon, values,
                   labels, positive_weights};
  backward_kernel<<<runtime::cuda::grid_for(o.batch * o.classes), runtime::cuda::kThreads, 0, stream>>>(o, dloss,
                                                                                                      dvalues);
  YNET_CUDA_CHECK_LAUNCH("cross-entropy backward");
}

}  // namespace ynet::ops::sigmoid_cross_entropy::cuda
