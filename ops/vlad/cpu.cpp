#include "ops/vlad/cpu.h"

#include <algorithm>
#include <cstdint>

namespace ynet::ops::vlad::cpu {

using dnnl_call::bind;
using dnnl_call::unbound_memory;
using dims = dnnl::memory::dims;

namespace {

dnnl::memory::desc strided(const dims& shape, const dims& strides) {
  return dnnl::memory::desc(shape, dnnl::memory::data_type::f32, strides);
}

dnnl::primitive matmul(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                       const dnnl::memory::desc& dst, const dnnl::engine& engine) {
  return dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, dst), engine));
}

}  // namespace

Kernel::Kernel(const VladShape& shape, const dnnl::engine& engine)
    : shape_(shape), sums_(shape.batch * shape.clusters) {
  if (shape.batch * shape.rows * shape.clusters * shape.features == 0) return;
  const auto b = static_cast<dnnl::memory::dim>(shape.batch);
  const auto r = static_cast<dnnl::memory::dim>(shape.rows);
  const auto k = static_cast<dnnl::memory::dim>(shape.clusters);
  const auto f = static_cast<dnnl::memory::dim>(shape.features);
  const auto a_desc = strided({b, r, k}, {r * k, k, 1});
  const auto a_transposed_desc = strided({b, k, r}, {r * k, 1, k});
  const auto x_desc = strided({b, r, f}, {r * f, f, 1});
  const auto v_desc = strided({b, k, f}, {k * f, f, 1});
  const auto v_transposed_desc = strided({b, f, k}, {k * f, 1, f});
  a_transposed_ = unbound_memory(a_transposed_desc, engine);
  a_ = unbound_memory(a_desc, engine);
  x_ = unbound_memory(x_desc, engine);
  v_ = unbound_memory(v_desc, engine);
  dv_ = unbound_memory(v_desc, engine);
  dv_transposed_ = unbound_memory(v_transposed_desc, engine);
  da_ = unbound_memory(a_desc, engine);
  dx_ = unbound_memory(x_desc, engine);
  aggregate_ = dnnl_call::Call(matmul(a_transposed_desc, x_desc, v_desc, engine),
                               {{DNNL_ARG_SRC, a_transposed_}, {DNNL_ARG_WEIGHTS, x_}, {DNNL_ARG_DST, v_}});
  descriptor_grad_ = dnnl_call::Call(matmul(a_desc, v_desc, x_desc, engine),
                                     {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, dv_}, {DNNL_ARG_DST, dx_}});
  assignment_grad_ = dnnl_call::Call(matmul(x_desc, v_transposed_desc, a_desc, engine),
                                     {{DNNL_ARG_SRC, x_}, {DNNL_ARG_WEIGHTS, dv_transposed_}, {DNNL_ARG_DST, da_}});
}

void Kernel::sum_assignments(const float* a) const {
  const std::size_t rows = shape_.rows, clusters = shape_.clusters;
  const auto videos = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < videos; ++b) {
    float* sums = sums_.data() + static_cast<std::size_t>(b) * clusters;
    const float* video = a + static_cast<std::size_t>(b) * rows * clusters;
    for (std::size_t k = 0; k < clusters; ++k) sums[k] = 0.0f;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t k = 0; k < clusters; ++k) sums[k] += video[r * clusters + k];
  }
}

void Kernel::forward(const float* a, const float* x, const float* centres, float* v, const dnnl::stream& stream) const {
  if (sums_.empty() || shape_.features == 0) return;
  if (shape_.rows == 0) {
    std::fill(v, v + shape_.batch * shape_.clusters * shape_.features, 0.0f);
    return;
  }
  bind(a_transposed_, a);
  bind(x_, x);
  bind(v_, v);
  aggregate_.execute(stream);
  if (centres == nullptr) return;
  sum_assignments(a);
  const std::size_t features = shape_.features;
  const auto residuals = static_cast<std::int64_t>(shape_.batch * shape_.clusters);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < residuals; ++i) {
    const float s = sums_[static_cast<std::size_t>(i)];
    const float* c = centres + static_cast<std::size_t>(i) % shape_.clusters * features;
    float* out = v + static_cast<std::size_t>(i) * features;
    for (std::size_t f = 0; f < features; ++f) out[f] -= s * c[f];
  }
}

void Kernel::backward(const float* a, const float* x, const float* centres, const float* dv, float* da, float* dx,
                      float* dcentres, const dnnl::stream& stream) const {
  if (sums_.empty() || shape_.features == 0 || shape_.rows == 0) {
    if (dcentres != nullptr) std::fill(dcentres, dcentres + shape_.clusters * shape_.features, 0.0f);
    return;
  }
  const std::size_t clusters = shape_.clusters, features = shape_.features, rows = shape_.rows;
  if (dcentres != nullptr) {
    sum_assignments(a);
    const auto count = static_cast<std::int64_t>(clusters);
#pragma omp parallel for schedule(static)
    for (std::int64_t k = 0; k < count; ++k) {
      float* out = dcentres + static_cast<std::size_t>(k) * features;
      for (std::size_t f = 0; f < features; ++f) out[f] = 0.0f;
      for (std::size_t b = 0; b < shape_.batch; ++b) {
        const float s = sums_[b * clusters + static_cast<std::size_t>(k)];
        const float* grad = dv + (b * clusters + static_cast<std::size_t>(k)) * features;
        for (std::size_t f = 0; f < features; ++f) out[f] -= s * grad[f];
      }
    }
  }
  if (dx != nullptr) {
    bind(a_, a);
    bind(dv_, dv);
    bind(dx_, dx);
    descriptor_grad_.execute(stream);
  }
  if (da != nullptr) {
    bind(x_, x);
    bind(dv_transposed_, dv);
    bind(da_, da);
    assignment_grad_.execute(stream);
    if (centres == nullptr) return;
    // da[b, r, k] -= (dv c)[b, k], reusing the sums' storage.
    const auto videos = static_cast<std::int64_t>(shape_.batch);
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < videos; ++b) {
      float* g = sums_.data() + static_cast<std::size_t>(b) * clusters;
      for (std::size_t k = 0; k < clusters; ++k) {
        const float* grad = dv + (static_cast<std::size_t>(b) * clusters + k) * features;
        const float* c = centres + k * features;
        float sum = 0.0f;
        for (std::size_t f = 0; f < features; ++f) sum += grad[f] * c[f];
        g[k] = sum;
      }
      float* video = da + static_cast<std::size_t>(b) * rows * clusters;
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < clusters; ++k) video[r * clusters + k] -= g[k];
    }
  }
}

}  // namespace ynet::ops::vlad::cpu
