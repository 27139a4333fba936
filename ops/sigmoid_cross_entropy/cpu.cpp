#include "ops/sigmoid_cross_entropy/cpu.h"

#include <cmath>
#include <cstdint>

namespace ynet::ops::sigmoid_cross_entropy::cpu {

namespace {

float loss_term(float x, float z, float q) {
  const float softplus_minus_x = std::log1p(std::exp(-std::fabs(x))) + (x < 0.f ? -x : 0.f);
  return (1.f - z) * x + (1.f + (q - 1.f) * z) * softplus_minus_x;
}

float gradient_term(float x, float z, float q) {
  const float e = std::exp(-std::fabs(x));
  const float sigmoid_minus_x = x >= 0.f ? e / (1.f + e) : 1.f / (1.f + e);
  return (1.f - z) - (1.f + (q - 1.f) * z) * sigmoid_minus_x;
}

}  // namespace

Kernel::Kernel(const CrossEntropyShape& shape) : shape_(shape) {}

void Kernel::forward(const float* logits, const float* labels, const float* positive_weights, float* loss,
                     void* workspace) const {
  auto* row_sums = static_cast<double*>(workspace);
  const std::size_t classes = shape_.classes;
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t offset = static_cast<std::size_t>(b) * classes;
    double sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      sum += loss_term(logits[offset + c], labels[offset + c], positive_weights ? positive_weights[c] : 1.f);
    }
    row_sums[b] = sum;
  }
  double total = 0.0;
  for (std::int64_t b = 0; b < batch; ++b) total += row_sums[b];
  *loss = static_cast<float>(total / static_cast<double>(shape_.batch));
}

void Kernel::backward(const float* logits, const float* labels, const float* positive_weights, float dloss,
                      float* dlogits) const {
  const std::size_t classes = shape_.classes;
  const float scale = dloss / static_cast<float>(shape_.batch);
  const auto batch = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::size_t offset = static_cast<std::size_t>(b) * classes;
    for (std::size_t c = 0; c < classes; ++c) {
      dlogits[offset + c] =
          scale * gradient_term(logits[offset + c], labels[offset + c], positive_weights ? positive_weights[c] : 1.f);
    }
  }
}

}  // namespace ynet::ops::sigmoid_cross_entropy::cpu
