#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/l2_normalize/cpu.h"
#include "ops/l2_normalize/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::l2_normalize::kDefaultEpsilon;
using ynet::ops::l2_normalize::L2NormalizeShape;
namespace reference = ynet::ops::l2_normalize::reference;
namespace t = ynet::testing;

TEST_CASE("l2 normalize gives unit rows and leaves zero rows at zero") {
  const L2NormalizeShape s{2, 2};
  const std::vector<double> x{3, -4, 0, 0};
  std::vector<double> y(4);
  reference::forward(s, kDefaultEpsilon, x.data(), y.data());
  CHECK(y == std::vector<double>{0.6, -0.8, 0, 0});
  const std::vector<double> dy{1, 1, 2, -3};
  std::vector<double> dx(4);
  reference::backward(s, kDefaultEpsilon, x.data(), dy.data(), dx.data());
  // (dy - y <y, dy>) / 5 with <y, dy> = -0.2.
  CHECK(dx[0] == doctest::Approx((1 + 0.6 * 0.2) / 5));
  CHECK(dx[1] == doctest::Approx((1 - 0.8 * 0.2) / 5));
  CHECK(dx[2] == doctest::Approx(2 / std::sqrt(kDefaultEpsilon)));
}

TEST_CASE("l2 normalize reference gradient matches central differences") {
  const L2NormalizeShape s{4, 6};
  const auto x = t::random_vector(s.rows * s.features, 8);
  const auto upstream = t::random_vector(x.size(), 9);
  std::vector<double> dx(x.size());
  reference::backward(s, kDefaultEpsilon, x.data(), upstream.data(), dx.data());
  const auto loss = [&](const std::vector<double>& v) {
    std::vector<double> y(v.size());
    reference::forward(s, kDefaultEpsilon, v.data(), y.data());
    return t::dot(y, upstream);
  };
  const double e = t::gradient_error(loss, x, dx);
  CHECK(e <= 1e-6);
  MESSAGE("l2 normalize reference vs finite differences worst relative error: " << e);
}

TEST_CASE("l2 normalize CPU kernel matches the reference in fp32") {
  double worst = 0.0;
  for (const L2NormalizeShape& s : {L2NormalizeShape{1, 1}, L2NormalizeShape{3, 7}, L2NormalizeShape{90, 1152}}) {
    auto x = t::round_to_float(t::random_vector(s.rows * s.features, s.features, -2.0, 2.0));
    std::fill(x.end() - static_cast<std::ptrdiff_t>(s.features), x.end(), 0.0);  // a padded frame
    const auto dy = t::round_to_float(t::random_vector(x.size(), 5));
    std::vector<double> y(x.size()), dx(x.size());
    reference::forward(s, kDefaultEpsilon, x.data(), y.data());
    reference::backward(s, kDefaultEpsilon, x.data(), dy.data(), dx.data());
    const ynet::ops::l2_normalize::cpu::Kernel kernel(s, kDefaultEpsilon);
    const auto xf = t::to_float(x), dyf = t::to_float(dy);
    std::vector<float> yf(y.size()), dxf(dx.size());
    kernel.forward(xf.data(), yf.data());
    kernel.backward(xf.data(), dyf.data(), dxf.data());
    // The zero row's gradient is dy / sqrt(epsilon) = 1e6 dy and would dominate a norm-wise
    // comparison of the whole tensor; compare it separately.
    const auto last = static_cast<std::ptrdiff_t>(x.size() - s.features);
    const std::vector<float> dxf_valid(dxf.begin(), dxf.begin() + last), dxf_zero(dxf.begin() + last, dxf.end());
    const std::vector<double> dx_valid(dx.begin(), dx.begin() + last), dx_zero(dx.begin() + last, dx.end());
    for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf_valid, dx_valid),
                     t::normwise_relative_error(dxf_zero, dx_zero)}) {
      CHECK(e <= 1e-4);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("l2 normalize cpu vs reference worst relative error: " << worst);
}
