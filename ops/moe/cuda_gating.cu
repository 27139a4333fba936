// Noisy top-k gating and its auxiliary losses on the GPU, one thread per row, in double, as
// gating.h computes them on the host.
#include "ops/support/cuda/column_reduce.cuh"
#include "ops/support/cuda/cuda_check.h"
#include "ops/moe/cuda_kernels.h"

namespace ynet::ops::moe::cuda {
namespace {

using runtime::cuda::ColumnChunks;
using runtime::cuda::global_index;
using runtime::cuda::global_stride;
using runtime::cuda::grid_for;
using runtime::cuda::kThreads;

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrt2 = 1.41421356237309504880;

__device__ inline bool row_valid(const int32_t* lengths, int64_t r, int64_t time) {
  return lengths == nullptr || r % time < lengths[r / time];
}
__device__ inline double softplus(double v) { return fmax(v, 0.0) + log1p(exp(-fabs(v))); }
__device__ inline double normal_cdf(double z) { return 0.5 * erfc(-z / kSqrt2); }
__device__ inline double normal_pdf(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * kPi); }
__device__ inline double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  const double e = exp(x);
  return e / (1.0 + e);
}

// One row's gating inputs: H_e = clean_e + eps_e softplus(raw_e) (noisy, with eps), else clean_e.
struct Row {
  const float* clean;
  const float* raw;
  const float* eps;
  bool noisy;

  __device__ double scale(int64_t e) const { return noisy ? softplus(raw[e]) : 0.0; }
  __device__ double h(int64_t e) const {
    double v = clean[e];
    if (noisy && eps != nullptr) v += static_cast<double>(eps[e]) * scale(e);
    return v;
  }
};

__device__ inline Row row_of(const GatingDims& d, int64_t r, const float* clean, const float* raw, const float* eps) {
  const int64_t at = r * d.experts;
  return {clean + at, raw ? raw + at : nullptr, eps ? eps + at : nullptr, d.noisy};
}

__device__ inline bool chosen(const int32_t* order, int64_t top_k, int64_t e) {
  for (int64_t s = 0; s < top_k; ++s)
    if (order[s] == e) return true;
  return false;
}

// Thread t draws the samples of Philox block first_sample / 2 + t that fall in the slice.
__global__ void noise_kernel(dropout::philox::MaskKey key, uint64_t first_sample, int64_t count, float* eps) {
  constexpr double kTwoToMinus32 = 1.0 / 4294967296.0;
  const auto first_pair = static_cast<int64_t>(first_sample / 2);
  const int64_t pairs = static_cast<int64_t>((first_sample + static_cast<uint64_t>(count) + 1) / 2) - first_pair;
  for (int64_t pair = global_index(); pair < pairs; pair += global_stride()) {
    const dropout::philox::Block block = dropout::philox::mask_block(key, static_cast<uint64_t>(first_pair + pair));
    for (int lane = 0; lane < 2; ++lane) {
      const int64_t e = (first_pair + pair) * 2 + lane - static_cast<int64_t>(first_sample);
      if (e < 0 || e >= count) continue;
      // u1 in (0, 1) keeps the logarithm finite.
      const double u1 = (static_cast<double>(block.word[2 * lane]) + 0.5) * kTwoToMinus32;
      const double u2 = static_cast<double>(block.word[2 * lane + 1]) * kTwoToMinus32;
      eps[e] = static_cast<float>(sqrt(-2.0 * log(u1)) * cos(2.0 * kPi * u2));
    }
  }
}

__global__ void gate_rows_kernel(GatingDims d, const int32_t* lengths, const float* clean, const float* raw,
                                 const float* eps, int32_t* order, float* gates, float* dense_gates,
                                 float* probabilities) {
  for (int64_t r = global_index(); r < d.rows; r += global_stride()) {
    int32_t* ord = order + r * d.slots;
    float* g = gates + r * d.top_k;
    float* dense = dense_gates + r * d.experts;
    float* prob = probabilities ? probabilities + r * d.experts : nullptr;
    for (int64_t e = 0; e < d.experts; ++e) {
      dense[e] = 0.f;
      if (prob) prob[e] = 0.f;
    }
    if (!row_valid(lengths, r, d.time)) {
      for (int64_t s = 0; s < d.slots; ++s) ord[s] = -1;
      for (int64_t s = 0; s < d.top_k; ++s) g[s] = 0.f;
      continue;
    }
    const Row row = row_of(d, r, clean, raw, eps);
    // Selection by (value descending, index ascending): a strict comparison keeps the lower index.
    for (int64_t slot = 0; slot < d.slots; ++slot) {
      int32_t best = -1;
      double best_h = 0.0;
      for (int64_t e = 0; e < d.experts; ++e) {
        bool taken = false;
        for (int64_t prior = 0; prior < slot; ++prior) taken = taken || ord[prior] == e;
        if (taken) continue;
        const double h = row.h(e);
        if (best < 0 || h > best_h) {
          best = static_cast<int32_t>(e);
          best_h = h;
        }
      }
      ord[slot] = best;
    }
    const double top = row.h(ord[0]);
    double sum = 0.0;
    for (int64_t s = 0; s < d.top_k; ++s) sum += exp(row.h(ord[s]) - top);
    for (int64_t s = 0; s < d.top_k; ++s) {
      const auto gate = static_cast<float>(exp(row.h(ord[s]) - top) / sum);
      g[s] = gate;
      dense[ord[s]] = gate;
    }
    if (!d.load_loss || !prob) continue;
    // kth_excluding(H, k, e): H of ord[k] when e is among the top k, of ord[k-1] otherwise.
    const double h_next = row.h(ord[d.top_k]), h_last = row.h(ord[d.top_k - 1]);
    for (int64_t e = 0; e < d.experts; ++e) {
      const double threshold = chosen(ord, d.top_k, e) ? h_next : h_last;
      prob[e] = static_cast<float>(normal_cdf((static_cast<double>(row.clean[e]) - threshold) / row.scale(e)));
    }
  }
}

struct GateSums {
  const float* dense;
  const float* probabilities;
  int64_t cols;
  __device__ void operator()(int64_t r, int64_t c, double* acc) const {
    acc[0] += dense[r * cols + c];
    if (probabilities) acc[1] += probabilities[r * cols + c];
  }
};

__device__ inline void mean_and_variance(const double* v, int64_t n, double& mean, double& variance) {
  mean = 0.0;
  for (int64_t e = 0; e < n; ++e) mean += v[e];
  mean /= static_cast<double>(n);
  variance = 0.0;
  for (int64_t e = 0; e < n; ++e) variance += (v[e] - mean) * (v[e] - mean);
  variance /= static_cast<double>(n);
}

__device__ inline double cv_squared(const double* v, int64_t n, double epsilon) {
  double mean, variance;
  mean_and_variance(v, n, mean, variance);
  return variance / (mean * mean + epsilon);
}

__device__ inline void cv_squared_gradient(const double* v, int64_t n, double epsilon, double scale, double* grad) {
  double mean, variance;
  mean_and_variance(v, n, mean, variance);
  const double denom = mean * mean + epsilon;
  const auto count = static_cast<double>(n);
  for (int64_t e = 0; e < n; ++e)
    grad[e] = scale * (2.0 * (v[e] - mean) / count / denom - variance * 2.0 * mean / count / (denom * denom));
}

__global__ void losses_kernel(GatingDims d, ColumnChunks c, const double* partials, double w_importance,
                              double w_load, double cv_epsilon, double* importance, double* load, float* aux) {
  for (int64_t e = 0; e < d.experts; ++e) {
    importance[e] = runtime::cuda::column_total(partials, c, 0, e);
    load[e] = runtime::cuda::column_total(partials, c, 1, e);
  }
  double total = w_importance * cv_squared(importance, d.experts, cv_epsilon);
  if (d.load_loss) total += w_load * cv_squared(load, d.experts, cv_epsilon);
  *aux = static_cast<float>(total);
}

__global__ void loss_gradients_kernel(GatingDims d, const double* importance, const double* load, const float* d_aux,
                                      double w_importance, double w_load, double cv_epsilon, double* d_importance,
                                      double* d_load) {
  const double upstream = d_aux ? static_cast<double>(*d_aux) : 0.0;
  cv_squared_gradient(importance, d.experts, cv_epsilon, upstream * w_importance, d_importance);
  if (d.load_loss) {
    cv_squared_gradient(load, d.experts, cv_epsilon, upstream * w_load, d_load);
  } else {
    for (int64_t e = 0; e < d.experts; ++e) d_load[e] = 0.0;
  }
}

__global__ void gate_rows_backward_kernel(GatingDims d, const int32_t* lengths, const float* clean, const float* raw,
                                          const float* eps, const int32_t* order, const double* d_gates,
                                          const double* d_load, float* d_clean, float* d_raw) {
  for (int64_t r = global_index(); r < d.rows; r += global_stride()) {
    float* dc = d_clean + r * d.experts;
    float* dr = d_raw ? d_raw + r * d.experts : nullptr;
    if (!row_valid(lengths, r, d.time)) {
      for (int64_t e = 0; e < d.experts; ++e) {
        dc[e] = 0.f;
        if (dr) dr[e] = 0.f;
      }
      continue;
    }
    const Row row = row_of(d, r, clean, raw, eps);
    const int32_t* ord = order + r * d.slots;
    const double* dg = d_gates + r * d.top_k;
    // The softmax over the chosen entries, recomputed in double, and dL/dH of its inputs.
    const double top = row.h(ord[0]);
    double sum = 0.0;
    for (int64_t s = 0; s < d.top_k; ++s) sum += exp(row.h(ord[s]) - top);
    double weighted = 0.0;
    for (int64_t s = 0; s < d.top_k; ++s) weighted += exp(row.h(ord[s]) - top) / sum * dg[s];
    // The load loss reaches H only at the two thresholds: ord[k] (for chosen e) and ord[k-1].
    double at_next = 0.0, at_last = 0.0, h_next = 0.0, h_last = 0.0;
    if (d.load_loss) {
      h_next = row.h(ord[d.top_k]);
      h_last = row.h(ord[d.top_k - 1]);
      for (int64_t e = 0; e < d.experts; ++e) {
        const bool in_top = chosen(ord, d.top_k, e);
        const double scale = row.scale(e);
        const double z = (static_cast<double>(row.clean[e]) - (in_top ? h_next : h_last)) / scale;
        const double d_z = d_load[e] * normal_pdf(z);
        (in_top ? at_next : at_last) -= d_z / scale;
      }
    }
    for (int64_t e = 0; e < d.experts; ++e) {
      double d_h = 0.0;
      for (int64_t s = 0; s < d.top_k; ++s)
        if (ord[s] == e) d_h += exp(row.h(ord[s]) - top) / sum * (dg[s] - weighted);
      double direct = 0.0, d_scale = 0.0;
      if (d.load_loss) {
        if (e == ord[d.top_k]) d_h += at_next;
        if (e == ord[d.top_k - 1]) d_h += at_last;
        const bool in_top = chosen(ord, d.top_k, e);
        const double scale = row.scale(e);
        const double z = (static_cast<double>(row.clean[e]) - (in_top ? h_next : h_last)) / scale;
        const double d_z = d_load[e] * normal_pdf(z);
        direct = d_z / scale;
        d_scale = -d_z * z / scale;
      }
      dc[e] = static_cast<float>(direct + d_h);  // dH/dclean = 1
      if (!d.noisy || !dr) continue;
      if (row.eps) d_scale += static_cast<double>(row.eps[e]) * d_h;
      dr[e] = static_cast<float>(d_scale * sigmoid(row.raw[e]));
    }
  }
}

}  // namespace

void gating_noise(const dropout::philox::MaskKey& key, uint64_t first_sample, int64_t count, float* eps,
                  cudaStream_t stream) {
  if (count == 0) return;
  noise_kernel<<<grid_for((count + 1) / 2 + 1), kThreads, 0, stream>>>(key, first_sample, count, eps);
  YNET_CUDA_CHECK_LAUNCH("moe gating noise");
}

void gate_rows(const GatingDims& d, const int32_t* lengths, const float* clean, const float* raw, const float* eps,
               int32_t* order, float* gates, float* dense_gates, float* probabilities, cudaStream_t stream) {
  gate_rows_kernel<<<grid_for(d.rows, 128), 128, 0, stream>>>(d, lengths, clean, raw, eps, order, gates, dense_gates,
                                                              probabilities);
  YNET_CUDA_CHECK_LAUNCH("moe gate_rows");
}

void gating_losses(const GatingDims& d, const ColumnChunks& chunks, const float* dense_gates,
                   const float* probabilities, double w_importance, double w_load, double cv_epsilon,
                   double* partials, double* importance, double* load, float* aux, cudaStream_t stream) {
  runtime::cuda::column_partials<2><<<runtime::cuda::column_grid(chunks), runtime::cuda::column_block(), 0, stream>>>(
      chunks, GateSums{dense_gates, d.load_loss ? probabilities : nullptr, d.experts}, partials);
  YNET_CUDA_CHECK_LAUNCH("moe importance and load");
  losses_kernel<<<1, 1, 0, stream>>>(d, chunks, partials, w_importance, w_load, cv_epsilon, importance, load, aux);
  YNET_CUDA_CHECK_LAUNCH("moe losses");
}

void loss_gradients(const GatingDims& d, const double* importance, const double* load, const float* d_aux,
                    double w_importance, double w_load, double cv_epsilon, double* d_importance, double* d_load,
                    cudaStream_t stream) {
  loss_gradients_kernel<<<1, 1, 0, stream>>>(d, importance, load, d_aux, w_importance, w_load, cv_epsilon,
                                             d_importance, d_load);
  YNET_CUDA_CHECK_LAUNCH("moe loss gradients");
}

void gate_rows_backward(const GatingDims& d, const int32_t* lengths, const float* clean, const float* raw,
                        const float* eps, const int32_t* order, const double* d_gates,
                        const double* d_load, float* d_clean, float* d_raw, cudaStream_t stream) {
  gate_rows_backward_kernel<<<grid_for(d.rows, 128), 128, 0, stream>>>(d, lengths, clean, raw, eps, order, d_gates,
                                                                       d_load, d_clean, d_raw);
  YNET_CUDA_CHECK_LAUNCH("moe gate_rows_backward");
}

}  // namespace ynet::ops::moe::cuda
