// Dispatching rows to experts and collecting their outputs on the GPU: the (row, slot) pairs are
// grouped by expert in pair order, so that each expert's Dense layers run as one product over a
// contiguous block of rows, and every sum over slots runs in slot order.
#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/activation/cuda_activation.cuh"
#include "ops/moe/cuda_kernels.h"

namespace ynet::ops::moe::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

constexpr int kScanThreads = 1024;

__device__ inline bool row_valid(const int32_t* lengths, int64_t r, int64_t time) {
  return lengths == nullptr || r % time < lengths[r / time];
}

// One block per expert walks the pairs in order, 1024 at a time: a ballot per warp and a scan of
// the warp totals give each of the expert's pairs its place.
__global__ void count_kernel(GatingDims d, const int32_t* lengths, const int32_t* order, int32_t* positions,
                             int32_t* counts) {
  __shared__ int32_t warp_offsets[32];
  __shared__ int32_t tile_total;
  const auto expert = static_cast<int32_t>(blockIdx.x);
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  const int64_t pairs = d.rows * d.top_k;
  int32_t base = 0;
  for (int64_t first = 0; first < pairs; first += blockDim.x) {
    const int64_t p = first + threadIdx.x;
    bool mine = false;
    if (p < pairs) {
      const int64_t r = p / d.top_k, slot = p % d.top_k;
      mine = row_valid(lengths, r, d.time) && order[r * d.slots + slot] == expert;
    }
    const unsigned ballot = __ballot_sync(0xffffffffu, mine);
    if (lane == 0) warp_offsets[warp] = __popc(ballot);
    __syncthreads();
    if (warp == 0) {
      const int32_t own = lane < warps ? warp_offsets[lane] : 0;
      int32_t inclusive = own;
      for (int offset = 1; offset < 32; offset <<= 1) {
        const int32_t other = __shfl_up_sync(0xffffffffu, inclusive, offset);
        if (static_cast<int>(lane) >= offset) inclusive += other;
      }
      if (lane < warps) warp_offsets[lane] = inclusive - own;
      if (lane == 31) tile_total = inclusive;
    }
    __syncthreads();
    if (mine) positions[p] = base + warp_offsets[warp] + __popc(ballot & ((1u << lane) - 1u));
    base += tile_total;
    __syncthreads();
  }
  if (threadIdx.x == 0) counts[expert] = base;
}

__global__ void offsets_kernel(int64_t experts, const int32_t* counts, int32_t* offsets) {
  int32_t total = 0;
  for (int64_t e = 0; e < experts; ++e) {
    offsets[e] = total;
    total += counts[e];
  }
}

__global__ void gather_kernel(GatingDims d, int64_t input, const int32_t* lengths, const int32_t* order,
                              const int32_t* positions, const int32_t* offsets, const float* x, int32_t* destination,
                              float* grouped_x, int32_t* row_of, int32_t* slot_of, int32_t* expert_of) {
  for (int64_t k = global_index(); k < d.rows * d.top_k * input; k += global_stride()) {
    const int64_t p = k / input, i = k % input;
    const int64_t r = p / d.top_k, slot = p % d.top_k;
    if (!row_valid(lengths, r, d.time)) continue;
    const int32_t expert = order[r * d.slots + slot];
    const int64_t to = offsets[expert] + positions[p];
    grouped_x[to * input + i] = x[r * input + i];
    if (i != 0) continue;
    destination[p] = static_cast<int32_t>(to);
    row_of[to] = static_cast<int32_t>(r);
    slot_of[to] = static_cast<int32_t>(slot);
    expert_of[to] = expert;
  }
}

__global__ void bias_activation_kernel(int64_t grouped, int64_t units, const float* bias, const int32_t* expert_of,
                                       ActivationKind activation, float* act) {
  for (int64_t k = global_index(); k < grouped * units; k += global_stride()) {
    const int64_t row = k / units, u = k % units;
    const float z = act[k] + (bias ? bias[expert_of[row] * units + u] : 0.f);
    act[k] = activation::cuda::apply(activation, z);
  }
}

__global__ void combine_kernel(GatingDims d, int64_t output, const int32_t* lengths, const float* gates,
                               const int32_t* destination, const float* out, float* y) {
  for (int64_t k = global_index(); k < d.rows * output; k += global_stride()) {
    const int64_t r = k / output, u = k % output;
    float sum = 0.f;
    if (row_valid(lengths, r, d.time))
      for (int64_t slot = 0; slot < d.top_k; ++slot) {
        const int64_t p = r * d.top_k + slot;
        sum += gates[p] * out[static_cast<int64_t>(destination[p]) * output + u];
      }
    y[k] = sum;
  }
}

// One warp per pair.
__global__ void gate_gradients_kernel(GatingDims d, int64_t output, const int32_t* lengths, const int32_t* order,
                                      const int32_t* destination, const double* d_importance, const float* dy,
                                      const float* out, double* d_gates) {
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x >> 5);
  const unsigned lane = threadIdx.x & 31u;
  for (int64_t p = static_cast<int64_t>(blockIdx.x) * (blockDim.x >> 5) + (threadIdx.x >> 5); p < d.rows * d.top_k;
       p += warps) {
    const int64_t r = p / d.top_k, slot = p % d.top_k;
    if (!row_valid(lengths, r, d.time)) {
      if (lane == 0) d_gates[p] = 0.0;
      continue;
    }
    const float* dyr = dy + r * output;
    const float* o = out + static_cast<int64_t>(destination[p]) * output;
    double dot = 0.0;
    for (int64_t u = lane; u < output; u += 32) dot += static_cast<double>(dyr[u]) * o[u];
    dot = runtime::cuda::warp_sum(dot);
    if (lane == 0) d_gates[p] = d_importance[order[r * d.slots + slot]] + dot;
  }
}

__global__ void output_gradient_kernel(int64_t grouped, int64_t output, int64_t top_k, const int32_t* row_of,
                                       const int32_t* slot_of, const float* gates, const float* dy, float* d_act) {
  for (int64_t k = global_index(); k < grouped * output; k += global_stride()) {
    const int64_t row = k / output, u = k % output;
    const int64_t r = row_of[row];
    d_act[k] = gates[r * top_k + slot_of[row]] * dy[r * output + u];
  }
}

__global__ void activation_gradient_kernel(int64_t count, ActivationKind activation, const float* act, float* d_act) {
  for (int64_t k = global_index(); k < count; k += global_stride())
    d_act[k] *= activation::cuda::derivative_from_output(activation, act[k]);
}

// Block (column tile, expert): 32 columns of one expert's rows, 8 row lanes, summed in order.
__global__ void bias_gradient_kernel(int64_t units, const int32_t* counts, const int32_t* offsets, const float* d_pre,
                                     float* d_bias) {
  __shared__ double sums[8][32];
  const int64_t expert = blockIdx.y;
  const int64_t u = static_cast<int64_t>(blockIdx.x) * 32 + threadIdx.x;
  const int64_t first = offsets[expert], last = first + counts[expert];
  double acc = 0.0;
  if (u < units)
    for (int64_t row = first + threadIdx.y; row < last; row += 8) acc += d_pre[row * units + u];
  sums[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y != 0 || u >= units) return;
  double total = 0.0;
  for (int lane = 0; lane < 8; ++lane) total += sums[lane][threadIdx.x];
  d_bias[expert * units + u] = static_cast<float>(total);
}

__global__ void scatter_kernel(GatingDims d, int64_t input, const int32_t* lengths, const int32_t* destination,
                               const float* d_in, float* dx) {
  for (int64_t k = global_index(); k < d.rows * input; k += global_stride()) {
    const int64_t r = k / input, i = k % input;
    float sum = 0.f;
    if (row_valid(lengths, r, d.time))
      for (int64_t slot = 0; slot < d.top_k; ++slot)
        sum += d_in[static_cast<int64_t>(destination[r * d.top_k + slot]) * input + i];
    dx[k] = sum;
  }
}

}  // namespace

void count_pairs(const GatingDims& d, const int32_t* lengths, const int32_t* order, int32_t* positions,
                 int32_t* counts, int32_t* offsets, cudaStream_t stream) {
  count_kernel<<<static_cast<unsigned>(d.experts), kScanThreads, 0, stream>>>(d, lengths, order, positions, counts);
  YNET_CUDA_CHECK_LAUNCH("moe count_pairs");
  offsets_kernel<<<1, 1, 0, stream>>>(d.experts, counts, offsets);
  YNET_CUDA_CHECK_LAUNCH("moe offsets");
}

void gather(const GatingDims& d, int64_t input, const int32_t* lengths, const int32_t* order,
            const int32_t* positions, const int32_t* offsets, const float* x, int32_t* destination,
            float* grouped_x, int32_t* row_of, int32_t* slot_of, int32_t* expert_of, cudaStream_t stream) {
  gather_kernel<<<grid_for(d.rows * d.top_k * input), kThreads, 0, stream>>>(
      d, input, lengths, order, positions, offsets, x, destination, grouped_x, row_of, slot_of, expert_of);
  YNET_CUDA_CHECK_LAUNCH("moe gather");
}

void bias_activation(int64_t grouped, int64_t units, const float* bias, const int32_t* expert_of,
                     ActivationKind activation, float* act, cudaStream_t stream) {
  if (grouped == 0 || (bias == nullptr && activation == ActivationKind::none)) return;
  bias_activation_kernel<<<grid_for(grouped * units), kThreads, 0, stream>>>(grouped, units, bias, expert_of,
                                                                               activation, act);
  YNET_CUDA_CHECK_LAUNCH("moe bias_activation");
}

void combine(const GatingDims& d, int64_t output, const int32_t* lengths, const float* gates,
             const int32_t* destination, const float* out, float* y, cudaStream_t stream) {
  combine_kernel<<<grid_for(d.rows * output), kThreads, 0, stream>>>(d, output, lengths, gates, destination, out, y);
  YNET_CUDA_CHECK_LAUNCH("moe combine");
}

void gate_gradients(const GatingDims& d, int64_t output, const int32_t* lengths, const int32_t* order,
                    const int32_t* destination, const double* d_importance, const float* dy, const float* out,
                    double* d_gates, cudaStream_t stream) {
  const int64_t pairs = d.rows * d.top_k;
  gate_gradients_kernel<<<grid_for(pairs * 32), kThreads, 0, stream>>>(d, output, lengths, order, destination,
                                                                       d_importance, dy, out, d_gates);
  YNET_CUDA_CHECK_LAUNCH("moe gate_gradients");
}

void output_gradient(int64_t grouped, int64_t output, int64_t top_k, const int32_t* row_of, const int32_t* slot_of,
                     const float* gates, const float* dy, float* d_act, cudaStream_t stream) {
  if (grouped == 0) return;
  output_gradient_kernel<<<grid_for(grouped * output), kThreads, 0, stream>>>(grouped, output, top_k, row_of, slot_of,
                                                                                gates, dy, d_act);
  YNET_CUDA_CHECK_LAUNCH("moe output_gradient");
}

void activation_gradient(int64_t count, ActivationKind activation, const float* act, float* d_act,
                         cudaStream_t stream) {
  if (count == 0 || activation == ActivationKind::none) return;
  activation_gradient_kernel<<<grid_for(count), kThreads, 0, stream>>>(count, activation, act, d_act);
  YNET_CUDA_CHECK_LAUNCH("moe activation_gradient");
}

void bias_gradient(int64_t experts, int64_t units, const int32_t* counts, const int32_t* offsets, const float* d_pre,
                   float* d_bias, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>((units + 31) / 32), static_cast<unsigned>(experts));
  bias_gradient_kernel<<<grid, dim3(32, 8), 0, stream>>>(units, counts, offsets, d_pre, d_bias);
  YNET_CUDA_CHECK_LAUNCH("moe bias_gradient");
}

void scatter_input_gradient(const GatingDims& d, int64_t input, const int32_t* lengths,
                            const int32_t* destination, const float* d_in, float* dx, cudaStream_t stream) {
  scatter_kernel<<<grid_for(d.rows * input), kThreads, 0, stream>>>(d, input, lengths, destination, d_in, dx);
  YNET_CUDA_CHECK_LAUNCH("moe scatter_input_gradient");
}

}  // namespace ynet::ops::moe::cuda
