#include "ops/batch_norm/cpu.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace ynet::ops::batch_norm::cpu {

using dnnl_call::bind;
using dnnl_call::plain_desc;
using dnnl_call::unbound_memory;
using flags = dnnl::normalization_flags;
using tag = dnnl::memory::format_tag;

Kernel::Kernel(const BatchNormShape& shape, double epsilon, double decay, const dnnl::engine& engine)
    : shape_(shape), decay_(decay) {
  const auto data_desc =
      plain_desc({static_cast<dnnl::memory::dim>(shape.rows), static_cast<dnnl::memory::dim>(shape.features), 1, 1},
                 tag::nhwc);
  const auto vector_desc = plain_desc({static_cast<dnnl::memory::dim>(shape.features)}, tag::a);
  x_ = unbound_memory(data_desc, engine);
  y_ = unbound_memory(data_desc, engine);
  dy_ = unbound_memory(data_desc, engine);
  dx_ = unbound_memory(data_desc, engine);
  gamma_ = unbound_memory(vector_desc, engine);
  beta_ = unbound_memory(vector_desc, engine);
  mean_ = unbound_memory(vector_desc, engine);
  variance_ = unbound_memory(vector_desc, engine);
  dgamma_ = unbound_memory(vector_desc, engine);
  dbeta_ = unbound_memory(vector_desc, engine);

  const auto eps = static_cast<float>(epsilon);
  const auto affine = flags::use_scale | flags::use_shift;
  const dnnl::batch_normalization_forward::primitive_desc training_pd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, data_desc, eps, affine), engine);
  const dnnl::batch_normalization_forward::primitive_desc inference_pd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, data_desc, eps,
                                              affine | flags::use_global_stats),
      engine);
  const dnnl::batch_normalization_backward::primitive_desc backward_pd(
      dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, data_desc, data_desc, eps, affine), engine,
      training_pd);

  training_ = dnnl_call::Call(dnnl::batch_normalization_forward(training_pd),
                              {{DNNL_ARG_SRC, x_},
                               {DNNL_ARG_SCALE, gamma_},
                               {DNNL_ARG_SHIFT, beta_},
                               {DNNL_ARG_DST, y_},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_}});
  inference_ = dnnl_call::Call(dnnl::batch_normalization_forward(inference_pd),
                               {{DNNL_ARG_SRC, x_},
                                {DNNL_ARG_SCALE, gamma_},
                                {DNNL_ARG_SHIFT, beta_},
                                {DNNL_ARG_MEAN, mean_},
                                {DNNL_ARG_VARIANCE, variance_},
                                {DNNL_ARG_DST, y_}});
  // oneDNN 2.6 refuses to run backward without a shift argument although the gradient does not
  // depend on beta; gamma's memory (same shape, never written) stands in for it.
  backward_ = dnnl_call::Call(dnnl::batch_normalization_backward(backward_pd),
                              {{DNNL_ARG_SRC, x_},
                               {DNNL_ARG_MEAN, mean_},
                               {DNNL_ARG_VARIANCE, variance_},
                               {DNNL_ARG_SCALE, gamma_},
                               {DNNL_ARG_SHIFT, gamma_},
                               {DNNL_ARG_DIFF_DST, dy_},
                               {DNNL_ARG_DIFF_SRC, dx_},
                               {DNNL_ARG_DIFF_SCALE, dgamma_},
                               {DNNL_ARG_DIFF_SHIFT, dbeta_}});
}

void Kernel::forward_training(const float* x, const float* gamma, const float* beta, float* y, float* batch_mean,
                              float* batch_variance, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(beta_, beta);
  bind(y_, y);
  bind(mean_, batch_mean);
  bind(variance_, batch_variance);
  training_.execute(stream);
}

void Kernel::forward_inference(const float* x, const float* gamma, const float* beta, const float* moving_mean,
                               const float* moving_variance, float* y, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(beta_, beta);
  bind(mean_, moving_mean);
  bind(variance_, moving_variance);
  bind(y_, y);
  inference_.execute(stream);
}

void Kernel::backward(const float* x, const float* gamma, const float* batch_mean, const float* batch_variance,
                      const float* dy, float* dx, float* dgamma, float* dbeta, const dnnl::stream& stream) const {
  bind(x_, x);
  bind(gamma_, gamma);
  bind(mean_, batch_mean);
  bind(variance_, batch_variance);
  bind(dy_, dy);
  bind(dx_, dx);
  bind(dgamma_, dgamma);
  bind(dbeta_, dbeta);
  backward_.execute(stream);
}

void Kernel::update_moving_statistics(const float* batch_mean, const float* batch_variance, float* moving_mean,
                                      float* moving_variance) const {
  reference::update_moving_statistics(shape_, shape_.rows, decay_, batch_mean, batch_variance, moving_mean,
                                      moving_variance);
}

namespace {

constexpr std::size_t kChunk = 64;  // rows per chunk

// Per feature: out[f] = sum over the rows r of the chunk that count of term(r, f), in row order.
// The three sums the kernels need, each its own loop so that it vectorises across the features.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void chunk_values(std::size_t features, std::size_t first, std::size_t last, const BatchNormShape& shape,
                  const std::int32_t* lengths, const float* x, double* out) {
  std::fill(out, out + features, 0.0);
  for (std::size_t r = first; r < last; ++r) {
    if (!counts(shape, lengths, r)) continue;
    const float* row = x + r * features;
    for (std::size_t f = 0; f < features; ++f) out[f] += static_cast<double>(row[f]);
  }
}

[[gnu::target_clones("avx512f", "avx2", "default")]]
void chunk_squares(std::size_t features, std::size_t first, std::size_t last, const BatchNormShape& shape,
                   const std::int32_t* lengths, const float* x, const double* mean, double* out) {
  std::fill(out, out + features, 0.0);
  for (std::size_t r = first; r < last; ++r) {
    if (!counts(shape, lengths, r)) continue;
    const float* row = x + r * features;
    for (std::size_t f = 0; f < features; ++f) {
      const double d = static_cast<double>(row[f]) - mean[f];
      out[f] += d * d;
    }
  }
}

[[gnu::target_clones("avx512f", "avx2", "default")]]
void chunk_gradients(std::size_t features, std::size_t first, std::size_t last, const BatchNormShape& shape,
                     const std::int32_t* lengths, const float* x, const float* dy, const float* mean, double* sum_dy,
                     double* sum_dy_centered) {
  std::fill(sum_dy, sum_dy + features, 0.0);
  std::fill(sum_dy_centered, sum_dy_centered + features, 0.0);
  for (std::size_t r = first; r < last; ++r) {
    if (!counts(shape, lengths, r)) continue;
    const float* row = x + r * features;
    const float* g = dy + r * features;
    for (std::size_t f = 0; f < features; ++f) {
      sum_dy[f] += static_cast<double>(g[f]);
      sum_dy_centered[f] += static_cast<double>(g[f]) * (static_cast<double>(row[f]) - mean[f]);
    }
  }
}

// y = (x - centre) scale + shift on the rows of [first, last) that count, 0 on the others.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void chunk_normalize(std::size_t features, std::size_t first, std::size_t last, const BatchNormShape& shape,
                     const std::int32_t* lengths, const float* x, const float* centre, const float* scale,
                     const float* shift, float* y) {
  for (std::size_t r = first; r < last; ++r) {
    float* out = y + r * features;
    if (!counts(shape, lengths, r)) {
      std::fill(out, out + features, 0.f);
      continue;
    }
    const float* row = x + r * features;
    for (std::size_t f = 0; f < features; ++f) out[f] = (row[f] - centre[f]) * scale[f] + shift[f];
  }
}

// dx = a (dy - b - (x - centre) c) on the rows of [first, last) that count, 0 on the others.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void chunk_input_gradient(std::size_t features, std::size_t first, std::size_t last, const BatchNormShape& shape,
                          const std::int32_t* lengths, const float* x, const float* dy, const float* centre,
                          const float* a, const float* b, const float* c, float* dx) {
  for (std::size_t r = first; r < last; ++r) {
    float* out = dx + r * features;
    if (!counts(shape, lengths, r)) {
      std::fill(out, out + features, 0.f);
      continue;
    }
    const float* row = x + r * features;
    const float* g = dy + r * features;
    for (std::size_t f = 0; f < features; ++f) out[f] = a[f] * (g[f] - b[f] - (row[f] - centre[f]) * c[f]);
  }
}

// total[f] = sum over the chunks of partials[chunk][f], in chunk order.
void add_chunks(std::size_t chunks, std::size_t features, const double* partials, double* total) {
#pragma omp parallel for schedule(static)
  for (std::int64_t f = 0; f < static_cast<std::int64_t>(features); ++f) {
    double sum = 0.0;
    for (std::size_t c = 0; c < chunks; ++c) sum += partials[c * features + static_cast<std::size_t>(f)];
    total[f] = sum;
  }
}

}  // namespace

FramesKernel::FramesKernel(const BatchNormShape& shape, double epsilon, double decay)
    : shape_(shape), epsilon_(epsilon), decay_(decay), chunks_((shape.rows + kChunk - 1) / kChunk) {}

// Chunks x features partial sums (two of them in backward), two feature-long totals, three float
// vectors of coefficients, and the 2 features + 1 values summed over the ranks of a data-parallel batch.
std::size_t FramesKernel::workspace_doubles() const { return (2 * chunks_ + 7) * shape_.features + 1; }

namespace {

// Replaces each of `values` by its sum over the ranks, and `count` too, in one exchange through
// `buffer` (values.size() + 1 doubles).
void sum_over_ranks(const runtime::BatchSlice& slice, std::span<double> values, std::size_t& count, double* buffer) {
  std::copy(values.begin(), values.end(), buffer);
  buffer[values.size()] = static_cast<double>(count);
  slice.collectives->sum(buffer, values.size() + 1);
  std::copy(buffer, buffer + values.size(), values.begin());
  count = static_cast<std::size_t>(buffer[values.size()]);
}

}  // namespace

void FramesKernel::forward_training(const float* x, const float* gamma, const float* beta,
                                    const std::int32_t* lengths, float* y, float* batch_mean, float* batch_variance,
                                    float* moving_mean, float* moving_variance, double* workspace,
                                    const runtime::BatchSlice& slice) const {
  const std::size_t features = shape_.features, rows = shape_.rows;
  std::size_t counted = counted_rows(shape_, lengths);
  double* partials = workspace;
  double* mean = partials + 2 * chunks_ * features;
  double* variance = mean + features;
  auto* centre = reinterpret_cast<float*>(variance + features);  // three float vectors in 1.5 features of doubles
  float* scale = centre + features;
  float* shift = scale + features;
  double* exchange = variance + 3 * features;
  const auto chunks = static_cast<std::int64_t>(chunks_);
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const auto first = static_cast<std::size_t>(c) * kChunk;
    chunk_values(features, first, std::min(first + kChunk, rows), shape_, lengths, x, partials + first / kChunk * features);
  }
  add_chunks(chunks_, features, partials, mean);
  if (slice.distributed()) sum_over_ranks(slice, {mean, features}, counted, exchange);
  const double n = counted > 0 ? static_cast<double>(counted) : 1.0;
  const double bessel = counted > 1 ? n / static_cast<double>(counted - 1) : 1.0;
  for (std::size_t f = 0; f < features; ++f) mean[f] = counted > 0 ? mean[f] / n : 0.0;
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const auto first = static_cast<std::size_t>(c) * kChunk;
    chunk_squares(features, first, std::min(first + kChunk, rows), shape_, lengths, x, mean,
                  partials + first / kChunk * features);
  }
  add_chunks(chunks_, features, partials, variance);
  if (slice.distributed()) slice.collectives->sum(variance, features);
  for (std::size_t f = 0; f < features; ++f) {
    variance[f] = counted > 0 ? variance[f] / n : 0.0;
    batch_mean[f] = static_cast<float>(mean[f]);
    batch_variance[f] = static_cast<float>(variance[f]);
    centre[f] = batch_mean[f];
    scale[f] = static_cast<float>((gamma ? gamma[f] : 1.0) / std::sqrt(variance[f] + epsilon_));
    shift[f] = beta ? beta[f] : 0.f;
    if (counted == 0) continue;
    moving_mean[f] = static_cast<float>(decay_ * moving_mean[f] + (1.0 - decay_) * mean[f]);
    moving_variance[f] = static_cast<float>(decay_ * moving_variance[f] + (1.0 - decay_) * bessel * variance[f]);
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const auto first = static_cast<std::size_t>(c) * kChunk;
    chunk_normalize(features, first, std::min(first + kChunk, rows), shape_, lengths, x, centre, scale, shift, y);
  }
}

void FramesKernel::backward(const float* x, const float* gamma, const std::int32_t* lengths, const float* batch_mean,
                            const float* batch_variance, const float* dy, float* dx, float* dgamma, float* dbeta,
                            double* workspace, const runtime::BatchSlice& slice) const {
  const std::size_t features = shape_.features, rows = shape_.rows;
  std::size_t counted = counted_rows(shape_, lengths);
  double* partial_dy = workspace;
  double* partial_centered = partial_dy + chunks_ * features;
  double* sum_dy = partial_centered + chunks_ * features;
  double* sum_centered = sum_dy + features;
  auto* a = reinterpret_cast<float*>(sum_centered + features);
  float* b = a + features;
  float* c = b + features;
  const auto chunks = static_cast<std::int64_t>(chunks_);
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < chunks; ++k) {
    const auto first = static_cast<std::size_t>(k) * kChunk;
    chunk_gradients(features, first, std::min(first + kChunk, rows), shape_, lengths, x, dy, batch_mean,
                    partial_dy + first / kChunk * features, partial_centered + first / kChunk * features);
  }
  add_chunks(chunks_, features, partial_dy, sum_dy);
  add_chunks(chunks_, features, partial_centered, sum_centered);
  // This process's rows' dgamma and dbeta; dx takes the whole batch's sums (reference.h).
  for (std::size_t f = 0; f < features; ++f) {
    const double inv_std = 1.0 / std::sqrt(static_cast<double>(batch_variance[f]) + epsilon_);
    dbeta[f] = static_cast<float>(sum_dy[f]);
    dgamma[f] = static_cast<float>(sum_centered[f] * inv_std);
  }
  // sum_dy and sum_centered are adjacent: one exchange (into the coefficients' space, then back).
  if (slice.distributed()) sum_over_ranks(slice, {sum_dy, 2 * features}, counted, sum_centered + features + 2 * features);
  const double n = counted > 0 ? static_cast<double>(counted) : 1.0;
  for (std::size_t f = 0; f < features; ++f) {
    const double inv_std = 1.0 / std::sqrt(static_cast<double>(batch_variance[f]) + epsilon_);
    a[f] = static_cast<float>((gamma ? gamma[f] : 1.0) * inv_std);
    b[f] = static_cast<float>(sum_dy[f] / n);
    c[f] = static_cast<float>(sum_centered[f] * inv_std * inv_std / n);
  }
  if (!dx) return;
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < chunks; ++k) {
    const auto first = static_cast<std::size_t>(k) * kChunk;
    chunk_input_gradient(features, first, std::min(first + kChunk, rows), shape_, lengths, x, dy, batch_mean, a, b,
                         c, dx);
  }
}

}  // namespace ynet::ops::batch_norm::cpu
