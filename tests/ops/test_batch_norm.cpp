#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
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

double weighted_output(const BatchNormShape& s, const Inputs& in) {
  std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
  reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), y.data(),
                              mean.data(), variance.data());
  return t::dot(y, in.upstream);
}

}  // namespace

TEST_CASE("batch norm reference normalises with biased batch statistics") {
  const BatchNormShape s{4, 1};
  const std::vector<double> x{1, 2, 3, 6}, gamma{2}, beta{0.5};
  std::vector<double> y(4), mean(1), variance(1);
  reference::forward_training(s, kDefaultEpsilon, x.data(), gamma.data(), beta.data(), y.data(), mean.data(),
                              variance.data());
  CHECK(mean[0] == 3.0);
  CHECK(variance[0] == 3.5);  // (4 + 1 + 0 + 9) / 4
  CHECK(y[0] == doctest::Approx(2.0 * -2.0 / std::sqrt(3.5 + 1e-3) + 0.5));

  // The moving variance takes the unbiased estimate 3.5 * 4 / 3.
  std::vector<double> moving_mean{0.0}, moving_variance{1.0};
  reference::update_moving_statistics(s, 0.9, mean.data(), variance.data(), moving_mean.data(), moving_variance.data());
  CHECK(moving_mean[0] == doctest::Approx(0.3));
  CHECK(moving_variance[0] == doctest::Approx(0.9 + 0.1 * 14.0 / 3.0));
}

TEST_CASE("batch norm reference gradients match central differences") {
  double worst = 0.0;
  for (const BatchNormShape& s : {BatchNormShape{2, 1}, BatchNormShape{5, 3}, BatchNormShape{12, 4}}) {
    Inputs in = random_inputs(s, 7 + s.rows);
    std::vector<double> y(in.x.size()), mean(s.features), variance(s.features);
    std::vector<double> dx(in.x.size()), dgamma(s.features), dbeta(s.features);
    reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), y.data(),
                                mean.data(), variance.data());
    reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), mean.data(), variance.data(),
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
    reference::forward_training(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), in.beta.data(), y.data(),
                                mean.data(), variance.data());
    reference::backward(s, kDefaultEpsilon, in.x.data(), in.gamma.data(), mean.data(), variance.data(),
                        in.upstream.data(), dx.data(), dgamma.data(), dbeta.data());
    reference::update_moving_statistics(s, kDefaultDecay, mean.data(), variance.data(), moving_mean.data(),
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
