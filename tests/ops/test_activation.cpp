#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/activation/cpu.h"
#include "ops/activation/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::ActivationKind;
namespace reference = ynet::ops::activation::reference;
namespace t = ynet::testing;

namespace {

const ActivationKind kAllActivations[] = {ActivationKind::none, ActivationKind::relu, ActivationKind::sigmoid,
                                          ActivationKind::tanh};

}  // namespace

TEST_CASE("activation reference values, including sigmoid far in both tails") {
  const std::vector<double> x{-800.0, -1.0, 0.0, 2.0, 800.0};
  std::vector<double> y(x.size());
  reference::forward(ActivationKind::sigmoid, x.data(), y.data(), x.size());
  CHECK(y[0] == 0.0);
  CHECK(y[1] == doctest::Approx(0.2689414213699951));
  CHECK(y[2] == 0.5);
  CHECK(y[4] == 1.0);
  reference::forward(ActivationKind::relu, x.data(), y.data(), x.size());
  CHECK(y == std::vector<double>{0.0, 0.0, 0.0, 2.0, 800.0});
  reference::forward(ActivationKind::tanh, x.data(), y.data(), x.size());
  CHECK(y[3] == doctest::Approx(std::tanh(2.0)));
}

TEST_CASE("activation reference gradients match central differences") {
  double worst = 0.0;
  const auto x = t::random_vector(50, 3, -3.0, 3.0);
  const auto upstream = t::random_vector(50, 4);
  for (ActivationKind kind : kAllActivations) {
    std::vector<double> y(x.size()), dx(x.size());
    reference::forward(kind, x.data(), y.data(), x.size());
    reference::backward(kind, y.data(), upstream.data(), dx.data(), x.size());
    const auto loss = [&](const std::vector<double>& v) {
      std::vector<double> out(v.size());
      reference::forward(kind, v.data(), out.data(), v.size());
      return t::dot(out, upstream);
    };
    const double e = t::gradient_error(loss, x, dx);
    CHECK(e <= 1e-6);
    worst = std::max(worst, e);
  }
  MESSAGE("activation reference vs finite differences worst relative error: " << worst);
}

TEST_CASE("activation oneDNN kernel matches the reference in fp32") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst = 0.0;
  for (std::size_t count : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    for (ActivationKind kind : kAllActivations) {
      const auto x = t::round_to_float(t::random_vector(count, count, -4.0, 4.0));
      const auto upstream = t::round_to_float(t::random_vector(count, count + 1));
      std::vector<double> y(count), dx(count);
      reference::forward(kind, x.data(), y.data(), count);
      reference::backward(kind, y.data(), upstream.data(), dx.data(), count);

      const ynet::ops::activation::cpu::Kernel kernel(kind, count, engine);
      const auto xf = t::to_float(x), dyf = t::to_float(upstream);
      std::vector<float> yf(count), dxf(count);
      kernel.forward(xf.data(), yf.data(), stream);
      kernel.backward(yf.data(), dyf.data(), dxf.data(), stream);
      stream.wait();
      for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf, dx)}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("activation cpu vs reference worst relative error: " << worst);
}
