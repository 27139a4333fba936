#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/softmax/cpu.h"
#include "ops/softmax/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::softmax::SoftmaxShape;
namespace reference = ynet::ops::softmax::reference;
namespace t = ynet::testing;

TEST_CASE("softmax sums to one per run and is zero on padded frames") {
  const SoftmaxShape s{2, 3, 2, 4};  // 2 videos, 3 frames, 2 runs of 4 per frame
  const auto x = t::random_vector(s.elements(), 3, -3.0, 3.0);
  const std::vector<std::int32_t> lengths{3, 1};
  std::vector<double> y(x.size());
  reference::forward(s, x.data(), lengths.data(), y.data());
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t t = 0; t < 3; ++t) {
      for (std::size_t r = 0; r < 2; ++r) {
        const std::size_t at = ((b * 3 + t) * 2 + r) * 4;
        double sum = 0.0;
        for (std::size_t k = 0; k < 4; ++k) sum += y[at + k];
        CHECK(sum == doctest::Approx(t < static_cast<std::size_t>(lengths[b]) ? 1.0 : 0.0));
      }
    }
  }
  // Shifting a run by a constant changes nothing (the max is subtracted).
  std::vector<double> shifted = x, y2(x.size());
  for (std::size_t k = 0; k < 4; ++k) shifted[k] += 700.0;
  reference::forward(s, shifted.data(), lengths.data(), y2.data());
  for (std::size_t k = 0; k < 4; ++k) CHECK(y2[k] == doctest::Approx(y[k]));
}

TEST_CASE("softmax reference gradient matches central differences") {
  const SoftmaxShape s{2, 3, 2, 5};
  const std::vector<std::int32_t> lengths{2, 3};
  const auto x = t::random_vector(s.elements(), 11, -2.0, 2.0);
  const auto upstream = t::random_vector(x.size(), 12);
  std::vector<double> y(x.size()), dx(x.size());
  reference::forward(s, x.data(), lengths.data(), y.data());
  reference::backward(s, y.data(), upstream.data(), dx.data());
  const auto loss = [&](const std::vector<double>& v) {
    std::vector<double> out(v.size());
    reference::forward(s, v.data(), lengths.data(), out.data());
    return t::dot(out, upstream);
  };
  const double e = t::gradient_error(loss, x, dx);
  CHECK(e <= 1e-6);
  MESSAGE("softmax reference vs finite differences worst relative error: " << e);
}

TEST_CASE("softmax CPU kernel matches the reference in fp32, padded frames included") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst = 0.0;
  for (const SoftmaxShape& s : {SoftmaxShape{1, 1, 1, 1}, SoftmaxShape{3, 4, 1, 7}, SoftmaxShape{4, 30, 8, 64}}) {
    std::vector<std::int32_t> lengths(s.batch);
    for (std::size_t b = 0; b < s.batch; ++b) lengths[b] = static_cast<std::int32_t>((b * 7) % (s.frames + 1));
    const auto x = t::round_to_float(t::random_vector(s.elements(), s.width, -4.0, 4.0));
    const auto dy = t::round_to_float(t::random_vector(x.size(), 5));
    std::vector<double> y(x.size()), dx(x.size());
    reference::forward(s, x.data(), lengths.data(), y.data());
    reference::backward(s, y.data(), dy.data(), dx.data());
    const ynet::ops::softmax::cpu::Kernel kernel(s, engine);
    const auto xf = t::to_float(x), dyf = t::to_float(dy);
    std::vector<float> yf(y.size(), 99.0f), dxf(dx.size(), 99.0f);
    kernel.forward(xf.data(), lengths.data(), yf.data(), stream);
    ynet::ops::softmax::cpu::backward(s, yf.data(), dyf.data(), dxf.data());
    stream.wait();
    for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf, dx)}) {
      CHECK(e <= 1e-5);
      worst = std::max(worst, e);
    }
    // Padded frames are exactly 0, forward and backward.
    const std::size_t frame = s.frame_size();
    for (std::size_t b = 0; b < s.batch; ++b)
      for (std::size_t i = static_cast<std::size_t>(lengths[b]) * frame; i < s.frames * frame; ++i) {
        CHECK(yf[b * s.frames * frame + i] == 0.0f);
        CHECK(dxf[b * s.frames * frame + i] == 0.0f);
      }
  }
  MESSAGE("softmax cpu vs reference worst relative error: " << worst);
}
