#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ops/time_weighted_sum/cpu.h"
#include "ops/time_weighted_sum/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::time_weighted_sum::TimeWeightedSumShape;
using ynet::ops::time_weighted_sum::Weighting;
namespace reference = ynet::ops::time_weighted_sum::reference;
namespace t = ynet::testing;

TEST_CASE("time-weighted sum weighs frame t by t / max_frames and skips padding") {
  const TimeWeightedSumShape s{2, 3, 1, 4};
  const std::vector<double> h{1, 2, 3, 5, 7, 11};
  const std::vector<std::int32_t> lengths{3, 2};
  std::vector<double> y(2), dh(6);
  reference::forward(s, Weighting::linear, h.data(), lengths.data(), y.data());
  CHECK(y[0] == doctest::Approx((1 * 1 + 2 * 2 + 3 * 3) / 4.0));
  CHECK(y[1] == doctest::Approx((1 * 5 + 2 * 7) / 4.0));
  reference::forward(s, Weighting::uniform, h.data(), lengths.data(), y.data());
  CHECK(y[0] == doctest::Approx(6 / 4.0));
  CHECK(y[1] == doctest::Approx(12 / 4.0));
  const std::vector<double> dy{4, 8};
  reference::backward(s, Weighting::linear, lengths.data(), dy.data(), dh.data());
  CHECK(dh == std::vector<double>{1, 2, 3, 2, 4, 0});
}

TEST_CASE("time-weighted sum reference gradient matches central differences") {
  double worst = 0.0;
  const TimeWeightedSumShape s{3, 4, 2, 4};
  const std::vector<std::int32_t> lengths{4, 1, 0};
  const auto h = t::random_vector(s.batch * s.time * s.features, 1);
  const auto upstream = t::random_vector(s.batch * s.features, 2);
  for (Weighting w : {Weighting::linear, Weighting::uniform}) {
    std::vector<double> dh(h.size());
    reference::backward(s, w, lengths.data(), upstream.data(), dh.data());
    const auto loss = [&](const std::vector<double>& v) {
      std::vector<double> y(upstream.size());
      reference::forward(s, w, v.data(), lengths.data(), y.data());
      return t::dot(y, upstream);
    };
    const double e = t::gradient_error(loss, h, dh);
    CHECK(e <= 1e-6);
    worst = std::max(worst, e);
  }
  MESSAGE("time-weighted sum reference vs finite differences worst relative error: " << worst);
}

TEST_CASE("time-weighted sum CPU kernel matches the reference in fp32") {
  double worst = 0.0;
  struct Case {
    TimeWeightedSumShape shape;
    std::vector<std::int32_t> lengths;
  };
  const Case cases[] = {{{1, 1, 1, 1}, {1}},
                        {{1, 6, 3, 6}, {0}},
                        {{2, 1, 5, 90}, {1, 0}},
                        {{4, 90, 64, 90}, {90, 1, 0, 33}}};
  for (const Case& c : cases) {
    const auto& s = c.shape;
    for (Weighting w : {Weighting::linear, Weighting::uniform}) {
      const auto h = t::round_to_float(t::random_vector(s.batch * s.time * s.features, s.time));
      const auto dy = t::round_to_float(t::random_vector(s.batch * s.features, s.time + 1));
      std::vector<double> y(dy.size()), dh(h.size());
      reference::forward(s, w, h.data(), c.lengths.data(), y.data());
      reference::backward(s, w, c.lengths.data(), dy.data(), dh.data());
      const ynet::ops::time_weighted_sum::cpu::Kernel kernel(s, w);
      const auto hf = t::to_float(h), dyf = t::to_float(dy);
      std::vector<float> yf(y.size(), -7.f), dhf(dh.size(), -7.f);
      kernel.forward(hf.data(), c.lengths.data(), yf.data());
      kernel.backward(c.lengths.data(), dyf.data(), dhf.data());
      for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dhf, dh)}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("time-weighted sum cpu vs reference worst relative error: " << worst);
}
