#include "ops/support/cuda/cuda_check.h"
#include "ops/support/cuda/kernel_support.cuh"
#include "ops/moe_classifier/cuda_kernels.h"

namespace ynet::ops::moe_classifier::cuda {
namespace {

using runtime::cuda::global_index;
using runtime::cuda::global_stride;

struct Dims {
  int64_t batch, classes, mixtures;
};

__device__ inline double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  const double e = exp(x);
  return e / (1.0 + e);
}

__global__ void mix_kernel(Dims d, float* gates, float* experts, float* p) {
  const int64_t m_count = d.mixtures;
  for (int64_t k = global_index(); k < d.batch * d.classes; k += global_stride()) {
    const int64_t b = k / d.classes, c = k % d.classes;
    float* g = gates + b * d.classes * (m_count + 1) + c * (m_count + 1);
    float* e = experts + b * d.classes * m_count + c * m_count;
    double top = g[0];
    for (int64_t m = 1; m <= m_count; ++m) top = fmax(top, static_cast<double>(g[m]));
    double sum = 0.0;
    for (int64_t m = 0; m <= m_count; ++m) sum += exp(static_cast<double>(g[m]) - top);
    double prob = 0.0;
    for (int64_t m = 0; m <= m_count; ++m) {
      const double gate = exp(static_cast<double>(g[m]) - top) / sum;
      g[m] = static_cast<float>(gate);
      if (m < m_count) {
        const auto expert = static_cast<float>(sigmoid(e[m]));
        e[m] = expert;
        prob += gate * expert;
      }
    }
    p[k] = static_cast<float>(prob);
  }
}

__global__ void unmix_kernel(Dims d, const float* gates, const float* experts, const float* dp, float* d_gate_logits,
                             float* d_expert_logits) {
  const int64_t m_count = d.mixtures;
  for (int64_t k = global_index(); k < d.batch * d.classes; k += global_stride()) {
    const int64_t b = k / d.classes, c = k % d.classes;
    const int64_t gate_at = b * d.classes * (m_count + 1) + c * (m_count + 1);
    const int64_t expert_at = b * d.classes * m_count + c * m_count;
    const float* g = gates + gate_at;
    const float* e = experts + expert_at;
    const double d_prob = dp[k];
    double weighted = 0.0;  // sum_m g_m dL/dg_m; the dummy expert's dL/dg is 0
    for (int64_t m = 0; m < m_count; ++m) weighted += static_cast<double>(g[m]) * d_prob * e[m];
    for (int64_t m = 0; m <= m_count; ++m) {
      const double d_gate = m < m_count ? d_prob * e[m] : 0.0;
      d_gate_logits[gate_at + m] = static_cast<float>(g[m] * (d_gate - weighted));
    }
    for (int64_t m = 0; m < m_count; ++m) {
      const double expert = e[m];
      d_expert_logits[expert_at + m] = static_cast<float>(d_prob * g[m] * expert * (1.0 - expert));
    }
  }
}

Dims dims_of(const ClassifierShape& s) { return {s.batch, s.classes, s.mixtures}; }

}  // namespace

void mix(const ClassifierShape& shape, float* gates, float* experts, float* p, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  mix_kernel<<<runtime::cuda::grid_for(d.batch * d.classes), runtime::cuda::kThreads, 0, stream>>>(d, gates, experts,
                                                                                                 p);
  YNET_CUDA_CHECK_LAUNCH("moe classifier mix");
}

void unmix(const ClassifierShape& shape, const float* gates, const float* experts, const float* dp,
           float* d_gate_logits, float* d_expert_logits, cudaStream_t stream) {
  const Dims d = dims_of(shape);
  unmix_kernel<<<runtime::cuda::grid_for(d.batch * d.classes), runtime::cuda::kThreads, 0, stream>>>(
      d, gates, experts, dp, d_gate_logits, d_expert_logits);
  YNET_CUDA_CHECK_LAUNCH("moe classifier unmix");
}

}  // namespace ynet::ops::moe_classifier::cuda
