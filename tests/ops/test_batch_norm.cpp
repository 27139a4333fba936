#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <omp.h>
#include <string>
#include <vector>

#include "ops/batch_norm/cpu.h"
#include "ops/batch_norm/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::batch_norm::BatchNormShape;
using ynet::ops::batch_norm::kDefaultDecay;
using ynet::ops::batch_norm::kDefaultEpsilon;
namespace reference = ynet::ops::batch_norm::reference;
namespace t = ynet::testing;

namespace {

struct Inputs {
  std::vector<double> x, gamma, beta, upstream;
};

Inputs random_inputs(const BatchNormShape& s, std::uint64_t seed) {
  return {t::round_to_float(t::random_vector(s.rows * s.features, seed, -2.0, 3.0)),
          t::round_to_float(t::random_vector(s.features, seed + 1, 0.5, 1.5)),
          t::round_to_float(t::random_vector(s.features, seed + 2)),
          t::round_to_float(t::random_vector(s.rows * s.features, seed + 3))};
}

double weighted_output(const BatchNormShape& s, const Inputs& in, const std::int32_t* lengths = nullptr) {
  std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
  reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), lengths, y.data(),
                              mean.data(), variance.data());
  return t::dot(y, in.upstream);
}

// Frames [batch, time, features] as rows, with lengths.
BatchNormShape frames(std::size_t batch, std::size_t time, std::size_t features) {
  return BatchNormShape{batch * time, features, time};
}

// Padding as the data reader leaves it: zeros past each video's length.
void zero_padding(const BatchNormShape& s, const std::vector<std::int32_t>& lengths, std::vector<double>& x) {
  for (std::size_t r = 0; r < s.rows; ++r)
    if (!ynet::ops::batch_norm::counts(s, lengths.data(), r))
      std::fill(x.begin() + static_cast<std::ptrdiff_t>(r * s.features),
                x.begin() + static_cast<std::ptrdiff_t>((r + 1) * s.features), 0.0);
}

}  // namespace

TEST_CASE("batch norm reference normalises with biased batch statistics") {
  const BatchNormShape s{4, 1};
  const std::vector<double> x{1, 2, 3, 6}, gamma{2}, beta{0.5};
  std::vector<double> y(4), mean(1), variance(1);
  reference::forward_training(s, kDefaultEpsilon, x.data(), gamma.data(), beta.data(), nullptr, y.data(),
                              mean.data(), variance.data());
  CHECK(mean[0] == 3.0);
  CHECK(variance[0] == 3.5);  // (4 + 1 + 0 + 9) / 4
  CHECK(y[0] == doctest::Approx(2.0 * -2.0 / std::sqrt(3.5 + 1e-3) + 0.5));

  // The moving variance takes the unbiased estimate 3.5 * 4 / 3.
  std::vector<double> moving_mean{0.0}, moving_variance{1.0};
  reference::update_moving_statistics(s, 4, 0.9, mean.data(), variance.data(), moving_mean.data(),
                                      moving_variance.data());
  CHECK(moving_mean[0] == doctest::Approx(0.3));
  CHECK(moving_variance[0] == doctest::Approx(0.9 + 0.1 * 14.0 / 3.0));
}

// docs/language.md: over frames, the statistics are those of the valid frames. Two videos of
// max_frames 3 with lengths 1 and 2: the valid values are 1 | 2, 6; the padded rows hold zeros, which
// statistics over every row (the old behaviour: mean 1.5, variance 4.25) would count.
TEST_CASE("batch norm over frames takes the statistics of the valid frames only") {
  const BatchNormShape s = frames(2, 3, 1);
  const std::vector<double> x{1, 0, 0, 2, 6, 0}, gamma{2}, beta{0.5};
  const std::vector<std::int32_t> lengths{1, 2};
  std::vector<double> y(6), mean(1), variance(1);
  reference::forward_training(s, kDefaultEpsilon, x.data(), gamma.data(), beta.data(), lengths.data(), y.data(),
                              mean.data(), variance.data());
  CHECK(mean[0] == 3.0);
  CHECK(variance[0] == doctest::Approx(14.0 / 3.0));  // (4 + 1 + 9) / 3
  CHECK(y[0] == doctest::Approx(2.0 * -2.0 / std::sqrt(14.0 / 3.0 + 1e-3) + 0.5));
  // Padded frames get no value.
  CHECK(y[1] == 0.0);
  CHECK(y[2] == 0.0);
  CHECK(y[5] == 0.0);
  // The moving variance takes the unbiased estimate over the 3 valid frames: 14/3 * 3/2 = 7.
  std::vector<double> moving_mean{0.0}, moving_variance{1.0};
  reference::update_moving_statistics(s, ynet::ops::batch_norm::counted_rows(s, lengths.data()), 0.9, mean.data(),
                                      variance.data(), moving_mean.data(), moving_variance.data());
  CHECK(moving_mean[0] == doctest::Approx(0.3));
  CHECK(moving_variance[0] == doctest::Approx(0.9 + 0.1 * 7.0));
  // Lengths are clamped to [0, max_frames]; a batch without a valid frame leaves the moving
  // statistics alone.
  const std::vector<std::int32_t> clamped{-4, 9};
  CHECK(ynet::ops::batch_norm::counted_rows(s, clamped.data()) == 3);
  const std::vector<std::int32_t> empty{0, 0};
  reference::forward_training(s, kDefaultEpsilon, x.data(), gamma.data(), beta.data(), empty.data(), y.data(),
                              mean.data(), variance.data());
  CHECK(mean[0] == 0.0);
  CHECK(std::all_of(y.begin(), y.end(), [](double v) { return v == 0.0; }));
  reference::update_moving_statistics(s, 0, 0.9, mean.data(), variance.data(), moving_mean.data(),
                                      moving_variance.data());
  CHECK(moving_mean[0] == doctest::Approx(0.3));
}

TEST_CASE("batch norm reference gradients match central differences") {
  double worst = 0.0;
  for (const BatchNormShape& s : {BatchNormShape{2, 1}, BatchNormShape{5, 3}, BatchNormShape{12, 4}}) {
    Inputs in = random_inputs(s, 7 + s.rows);
    std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
    std::vector<double> dx(in.x.size()), dgamma(s.features), dbeta(s.features);
    reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), nullptr, y.data(),
                                mean.data(), variance.data());
    reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), nullptr, mean.data(), variance.data(),
                        in.upstream.data(), dx.data(), dgamma.data(), dbeta.data());
    auto loss_of = [&](std::vector<double> Inputs::*field) {
      return [&, field](const std::vector<double>& v) {
        Inputs copy = in;
        copy.*field = v;
        return weighted_output(s, copy);
      };
    };
    for (double e : {t::gradient_error(loss_of(&Inputs::x), in.x, dx),
                     t::gradient_error(loss_of(&Inputs::gamma), in.gamma, dgamma),
                     t::gradient_error(loss_of(&Inputs::beta), in.beta, dbeta)}) {
      CHECK(e <= 1e-6);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("batch norm reference vs finite differences worst relative error: " << worst);
}

// Very unequal lengths (1, 7 and 20 of 20 frames): the gradient is that of the masked computation,
// with respect to every input, padded frames included (whose gradient is 0: nothing depends on them),
// and with an upstream gradient that is not 0 on the padded outputs (which are constant 0).
TEST_CASE("batch norm over frames: reference gradients match central differences") {
  const BatchNormShape s = frames(3, 20, 3);
  const std::vector<std::int32_t> lengths{1, 7, 20};
  Inputs in = random_inputs(s, 91);
  zero_padding(s, lengths, in.x);
  std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
  std::vector<double> dx(in.x.size()), dgamma(s.features), dbeta(s.features);
  reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), lengths.data(),
                              y.data(), mean.data(), variance.data());
  reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), lengths.data(), mean.data(), variance.data(),
                      in.upstream.data(), dx.data(), dgamma.data(), dbeta.data());
  auto loss_of = [&](std::vector<double> Inputs::*field) {
    return [&, field](const std::vector<double>& v) {
      Inputs copy = in;
      copy.*field = v;
      return weighted_output(s, copy, lengths.data());
    };
  };
  double worst = 0.0;
  for (double e : {t::gradient_error(loss_of(&Inputs::x), in.x, dx),
                   t::gradient_error(loss_of(&Inputs::gamma), in.gamma, dgamma),
                   t::gradient_error(loss_of(&Inputs::beta), in.beta, dbeta)}) {
    CHECK(e <= 1e-6);
    worst = std::max(worst, e);
  }
  for (std::size_t r = 0; r < s.rows; ++r)
    if (!ynet::ops::batch_norm::counts(s, lengths.data(), r))
      for (std::size_t f = 0; f < s.features; ++f) {
        CHECK(dx[r * s.features + f] == 0.0);
        CHECK(y[r * s.features + f] == 0.0);
      }
  // The statistics are those of the 28 valid frames: the mean over all 60 rows, zeros included,
  // is less than half of it.
  double sum = 0.0;
  for (std::size_t r = 0; r < s.rows; ++r) sum += in.x[r * s.features];
  CHECK(mean[0] == doctest::Approx(sum / 28.0));
  MESSAGE("masked batch norm reference vs finite differences worst relative error: " << worst);
}

// Two rows are left out on purpose: each normalised value is then +-1 up to epsilon, dx is pure
// cancellation and fp32 cannot resolve it to 1e-4 of its (tiny) scale.
TEST_CASE("batch norm oneDNN kernel matches the reference in fp32") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst = 0.0;
  for (const BatchNormShape& s : {BatchNormShape{1, 3}, BatchNormShape{3, 1}, BatchNormShape{7, 19},
                                  BatchNormShape{90, 64}}) {
    CAPTURE(s.rows);
    CAPTURE(s.features);
    const Inputs in = random_inputs(s, 3 + s.features);
    const auto moving_mean_init = t::round_to_float(t::random_vector(s.features, 41));
    const auto moving_variance_init = t::round_to_float(t::random_vector(s.features, 42, 0.5, 2.0));
    std::vector<double> y(in.x.size()), y_inference(in.x.size()), mean(s.features), variance(s.features);
    std::vector<double> dx(in.x.size()), dgamma(s.features), dbeta(s.features);
    auto moving_mean = moving_mean_init, moving_variance = moving_variance_init;
    reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), nullptr, y.data(),
                                mean.data(), variance.data());
    reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), nullptr, mean.data(), variance.data(),
                        in.upstream.data(), dx.data(), dgamma.data(), dbeta.data());
    reference::update_moving_statistics(s, s.rows, kDefaultDecay, mean.data(), variance.data(), moving_mean.data(),
                                        moving_variance.data());
    reference::forward_inference(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(),
                                 moving_mean.data(), moving_variance.data(), y_inference.data());

    const ynet::ops::batch_norm::cpu::Kernel kernel(s, kDefaultEpsilon, kDefaultDecay, engine);
    const auto x = t::to_float(in.x), gamma = t::to_float(in.gamma), beta = t::to_float(in.beta),
               dy = t::to_float(in.upstream);
    auto moving_mean_f = t::to_float(moving_mean_init), moving_variance_f = t::to_float(moving_variance_init);
    std::vector<float> yf(x.size()), y_inference_f(x.size()), mean_f(s.features), variance_f(s.features);
    std::vector<float> dxf(x.size()), dgamma_f(s.features), dbeta_f(s.features);
    kernel.forward_training(x.data(), gamma.data(), beta.data(), yf.data(), mean_f.data(), variance_f.data(), stream);
    kernel.backward(x.data(), gamma.data(), mean_f.data(), variance_f.data(), dy.data(), dxf.data(), dgamma_f.data(),
                    dbeta_f.data(), stream);
    stream.wait();
    kernel.update_moving_statistics(mean_f.data(), variance_f.data(), moving_mean_f.data(), moving_variance_f.data());
    kernel.forward_inference(x.data(), gamma.data(), beta.data(), moving_mean_f.data(), moving_variance_f.data(),
                             y_inference_f.data(), stream);
    stream.wait();
    for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(mean_f, mean),
                     t::normwise_relative_error(variance_f, variance), t::normwise_relative_error(dxf, dx),
                     t::normwise_relative_error(dgamma_f, dgamma), t::normwise_relative_error(dbeta_f, dbeta),
                     t::normwise_relative_error(moving_mean_f, moving_mean),
                     t::normwise_relative_error(moving_variance_f, moving_variance),
                     t::normwise_relative_error(y_inference_f, y_inference)}) {
      CHECK(e <= 1e-4);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("batch norm cpu vs reference worst relative error: " << worst);
}

namespace {

// The CPU's own loops (cpu::FramesKernel) against the reference, and
// their bits for a given thread count.
struct FramesResult {
  std::vector<float> y, mean, variance, moving_mean, moving_variance, dx, dgamma, dbeta;
};

FramesResult cpu_frames(const BatchNormShape& s, const Inputs& in, const std::int32_t* lengths, bool with_dx) {
  FramesResult o;
  const auto x = t::to_float(in.x), gamma = t::to_float(in.gamma), beta = t::to_float(in.beta),
             dy = t::to_float(in.upstream);
  o.y.resize(x.size());
  o.mean.resize(s.features);
  o.variance.resize(s.features);
  o.moving_mean = t::to_float(t::round_to_float(t::random_vector(s.features, 41)));
  o.moving_variance = t::to_float(t::round_to_float(t::random_vector(s.features, 42, 0.5, 2.0)));
  o.dx.assign(with_dx ? x.size() : 0, 0.f);
  o.dgamma.resize(s.features);
  o.dbeta.resize(s.features);
  const ynet::ops::batch_norm::cpu::FramesKernel kernel(s, kDefaultEpsilon, kDefaultDecay);
  std::vector<double> workspace(kernel.workspace_doubles());
  kernel.forward_training(x.data(), gamma.data(), beta.data(), lengths, o.y.data(), o.mean.data(), o.variance.data(),
                          o.moving_mean.data(), o.moving_variance.data(), workspace.data());
  kernel.backward(x.data(), gamma.data(), lengths, o.mean.data(), o.variance.data(), dy.data(),
                  with_dx ? o.dx.data() : nullptr, o.dgamma.data(), o.dbeta.data(), workspace.data());
  return o;
}

}  // namespace

TEST_CASE("batch norm over frames: the CPU's masked loops match the reference in fp32") {
  double worst = 0.0;
  struct Case {
    BatchNormShape shape;
    std::vector<std::int32_t> lengths;  // empty: every row counts
  };
  const std::vector<Case> cases{
      {frames(3, 20, 3), {1, 7, 20}},      {frames(3, 20, 33), {1, 7, 20}},  // a feature block and a tail
      {frames(4, 9, 64), {9, 0, 3, 12}},   {frames(2, 5, 19), {0, 0}},        // an empty video; no frame at all
      {BatchNormShape{90, 40, 0}, {}},                                         // every row counts
  };
  for (const Case& c : cases) {
    const BatchNormShape& s = c.shape;
    const std::int32_t* lengths = c.lengths.empty() ? nullptr : c.lengths.data();
    CAPTURE(s.rows);
    CAPTURE(s.features);
    Inputs in = random_inputs(s, 5 + s.features);
    if (lengths) zero_padding(s, c.lengths, in.x);
    std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
    std::vector<double> dx(in.x.size()), dgamma(s.features), dbeta(s.features);
    auto moving_mean = t::round_to_float(t::random_vector(s.features, 41));
    auto moving_variance = t::round_to_float(t::random_vector(s.features, 42, 0.5, 2.0));
    reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), lengths, y.data(),
                                mean.data(), variance.data());
    reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), lengths, mean.data(), variance.data(),
                        in.upstream.data(), dx.data(), dgamma.data(), dbeta.data());
    reference::update_moving_statistics(s, ynet::ops::batch_norm::counted_rows(s, lengths), kDefaultDecay,
                                        mean.data(), variance.data(), moving_mean.data(), moving_variance.data());
    const FramesResult o = cpu_frames(s, in, lengths, true);
    for (double e : {t::normwise_relative_error(o.y, y), t::normwise_relative_error(o.mean, mean),
                     t::normwise_relative_error(o.variance, variance), t::normwise_relative_error(o.dx, dx),
                     t::normwise_relative_error(o.dgamma, dgamma), t::normwise_relative_error(o.dbeta, dbeta),
                     t::normwise_relative_error(o.moving_mean, moving_mean),
                     t::normwise_relative_error(o.moving_variance, moving_variance)}) {
      CHECK(e <= 1e-4);
      worst = std::max(worst, e);
    }
    // Padded frames: exactly 0.
    for (std::size_t r = 0; r < s.rows; ++r)
      if (!ynet::ops::batch_norm::counts(s, lengths, r))
        for (std::size_t f = 0; f < s.features; ++f) {
          CHECK(o.y[r * s.features + f] == 0.f);
          CHECK(o.dx[r * s.features + f] == 0.f);
        }
    // Without dx, the same parameter gradients.
    const FramesResult affine = cpu_frames(s, in, lengths, false);
    CHECK(affine.dgamma == o.dgamma);
    CHECK(affine.dbeta == o.dbeta);
  }
  MESSAGE("masked batch norm cpu vs reference worst relative error: " << worst);
}

TEST_CASE("batch norm over frames: the CPU's masked loops give the same bits for any thread count") {
  const BatchNormShape s = frames(5, 30, 70);
  const std::vector<std::int32_t> lengths{30, 1, 17, 0, 29};
  Inputs in = random_inputs(s, 77);
  zero_padding(s, lengths, in.x);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const FramesResult one = cpu_frames(s, in, lengths.data(), true);
  omp_set_num_threads(3);
  const FramesResult three = cpu_frames(s, in, lengths.data(), true);
  omp_set_num_threads(threads);
  CHECK(one.y == three.y);
  CHECK(one.variance == three.variance);
  CHECK(one.dx == three.dx);
  CHECK(one.dgamma == three.dgamma);
}

// How long the masked loops take against oneDNN's unmasked batch normalization on DBoF's cluster
// BatchNorm (not run by default: `ops_batch_norm --no-skip -tc='*timing*'`).
TEST_CASE("timing: batch norm over frames, masked loops and oneDNN" * doctest::skip()) {
  const BatchNormShape s = frames(32, 300, 8192);
  const auto x = t::to_float(t::random_vector(s.rows * s.features, 1));
  const auto dy = t::to_float(t::random_vector(s.rows * s.features, 2));
  const std::vector<float> gamma(s.features, 1.f), beta(s.features, 0.f);
  std::vector<float> y(x.size()), dx(x.size()), mean(s.features), variance(s.features), moving_mean(s.features),
      moving_variance(s.features, 1.f), dgamma(s.features), dbeta(s.features);
  namespace cpu = ynet::ops::batch_norm::cpu;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const cpu::Kernel onednn(s, kDefaultEpsilon, kDefaultDecay, engine);
  const cpu::FramesKernel masked(s, kDefaultEpsilon, kDefaultDecay);
  std::vector<double> workspace(masked.workspace_doubles());
  auto ms = [](auto f) {  // the best of three
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      const auto start = std::chrono::steady_clock::now();
      f();
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
  };
  const double onednn_forward = ms([&] {
    onednn.forward_training(x.data(), gamma.data(), beta.data(), y.data(), mean.data(), variance.data(), stream);
    stream.wait();
  });
  const double onednn_backward = ms([&] {
    onednn.backward(x.data(), gamma.data(), mean.data(), variance.data(), dy.data(), dx.data(), dgamma.data(),
                    dbeta.data(), stream);
    stream.wait();
  });
  std::vector<std::int32_t> lengths(32);
  for (const bool full : {false, true}) {
    for (std::size_t b = 0; b < lengths.size(); ++b)
      lengths[b] = static_cast<std::int32_t>(full ? 300 : 1 + (b * 97) % 300);
    const double forward = ms([&] {
      masked.forward_training(x.data(), gamma.data(), beta.data(), lengths.data(), y.data(), mean.data(),
                              variance.data(), moving_mean.data(), moving_variance.data(), workspace.data());
    });
    const double backward = ms([&] {
      masked.backward(x.data(), gamma.data(), lengths.data(), mean.data(), variance.data(), dy.data(), dx.data(),
                      dgamma.data(), dbeta.data(), workspace.data());
    });
    MESSAGE(omp_get_max_threads() << " threads, " << std::string(full ? "every frame valid" : "lengths 1..300")
                                  << ": masked forward " << forward << " ms, backward " << backward
                                  << " ms; oneDNN (every row) forward " << onednn_forward << " ms, backward "
                                  << onednn_backward << " ms");
  }
}
