#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>
#include <stdexcept>

#include "ops/frame_pooling/cpu.h"
#include "ops/frame_pooling/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::frame_pooling::FramePoolingShape;
using ynet::ops::frame_pooling::PoolingMode;
namespace reference = ynet::ops::frame_pooling::reference;
namespace t = ynet::testing;

namespace {

const PoolingMode kAllModes[] = {PoolingMode::max, PoolingMode::mean, PoolingMode::sum};

// Padded frames hold exact zeros, as the data layer writes them.
std::vector<double> padded_input(const FramePoolingShape& s, const std::vector<std::int32_t>& lengths,
                                 std::uint64_t seed) {
  auto x = t::round_to_float(t::random_vector(s.batch * s.time * s.features, seed, -2.0, 1.0));
  for (std::size_t b = 0; b < s.batch; ++b) {
    for (std::size_t i = static_cast<std::size_t>(std::max(lengths[b], 0)) * s.features; i < s.time * s.features; ++i) {
      x[b * s.time * s.features + i] = 0.0;
    }
  }
  return x;
}

}  // namespace

TEST_CASE("frame pooling ignores padded frames and pools empty videos to zero") {
  const FramePoolingShape s{3, 3, 1};
  // Padded frames are 0 and exceed every valid frame of video 0, so including them would show.
  const std::vector<double> x{-3, -1, 0, 5, 4, 6, 0, 0, 0};
  const std::vector<std::int32_t> lengths{2, 3, 0};
  std::vector<double> y(3), dx(9);
  reference::forward(s, PoolingMode::max, x.data(), lengths.data(), y.data());
  CHECK(y == std::vector<double>{-1, 6, 0});
  reference::forward(s, PoolingMode::mean, x.data(), lengths.data(), y.data());
  CHECK(y == std::vector<double>{-2, 5, 0});
  reference::forward(s, PoolingMode::sum, x.data(), lengths.data(), y.data());
  CHECK(y == std::vector<double>{-4, 15, 0});

  const std::vector<double> tied{7, 2, 7, 1, 1, 1, 0, 0, 0};  // video 0's third frame is padding
  const std::vector<double> dy{10, 20, 30};
  reference::backward(s, PoolingMode::max, tied.data(), lengths.data(), dy.data(), dx.data());
  CHECK(dx == std::vector<double>{10, 0, 0, 20, 0, 0, 0, 0, 0});  // the first argmax gets it all
  const ynet::ops::frame_pooling::cpu::Kernel kernel(s, PoolingMode::max);
  const auto tied_f = t::to_float(tied), dyf = t::to_float(dy);
  std::vector<float> dxf(9);
  kernel.backward(tied_f.data(), lengths.data(), dyf.data(), dxf.data());
  CHECK(dxf == std::vector<float>{10, 0, 0, 20, 0, 0, 0, 0, 0});
}

TEST_CASE("frame pooling reference gradients match central differences") {
  double worst = 0.0;
  const FramePoolingShape s{3, 4, 5};
  const std::vector<std::int32_t> lengths{4, 1, 0};
  const auto x = padded_input(s, lengths, 17);
  const auto upstream = t::random_vector(s.batch * s.features, 18);
  for (PoolingMode mode : kAllModes) {
    std::vector<double> dx(x.size());
    reference::backward(s, mode, x.data(), lengths.data(), upstream.data(), dx.data());
    const auto loss = [&](const std::vector<double>& v) {
      std::vector<double> y(s.batch * s.features);
      reference::forward(s, mode, v.data(), lengths.data(), y.data());
      return t::dot(y, upstream);
    };
    const double e = t::gradient_error(loss, x, dx);
    CHECK(e <= 1e-6);
    worst = std::max(worst, e);
  }
  MESSAGE("frame pooling reference vs finite differences worst relative error: " << worst);
}

TEST_CASE("frame pooling CPU kernel matches the reference in fp32") {
  double worst = 0.0;
  struct Case {
    FramePoolingShape shape;
    std::vector<std::int32_t> lengths;
  };
  const Case cases[] = {{{1, 1, 1}, {1}},
                        {{1, 5, 3}, {0}},
                        {{2, 1, 8}, {1, 0}},
                        {{4, 30, 33}, {30, 1, 0, 17}},
                        {{3, 12, 1152}, {12, 40, 5}}};  // a length beyond time is clamped
  for (const Case& c : cases) {
    const auto& s = c.shape;
    for (PoolingMode mode : kAllModes) {
      CAPTURE(s.batch);
      CAPTURE(s.time);
      const auto x = padded_input(s, c.lengths, s.time + s.features);
      const auto dy = t::round_to_float(t::random_vector(s.batch * s.features, 3));
      std::vector<double> y(dy.size()), dx(x.size());
      reference::forward(s, mode, x.data(), c.lengths.data(), y.data());
      reference::backward(s, mode, x.data(), c.lengths.data(), dy.data(), dx.data());
      const ynet::ops::frame_pooling::cpu::Kernel kernel(s, mode);
      const auto xf = t::to_float(x), dyf = t::to_float(dy);
      std::vector<float> yf(y.size(), -7.f), dxf(dx.size(), -7.f);  // stale values must be overwritten
      kernel.forward(xf.data(), c.lengths.data(), yf.data());
      kernel.backward(xf.data(), c.lengths.data(), dyf.data(), dxf.data());
      for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf, dx)}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("frame pooling cpu vs reference worst relative error: " << worst);
}

TEST_CASE("pooling with a folded affine map pools scale * x + shift over the valid frames") {
  const FramePoolingShape s{4, 7, 1152};
  const std::vector<std::int32_t> lengths{7, 3, 0, 1};
  const auto x = padded_input(s, lengths, 41);
  // Negative scales too: max pooling of an affine map is not the affine map of the max.
  const auto scale = t::round_to_float(t::random_vector(s.features, 42, -1.5, 1.5));
  const auto shift = t::round_to_float(t::random_vector(s.features, 43));
  std::vector<double> mapped(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) mapped[i] = scale[i % s.features] * x[i] + shift[i % s.features];
  double worst = 0.0;
  for (PoolingMode mode : kAllModes) {
    std::vector<double> expected(s.batch * s.features), y(expected.size());
    reference::forward(s, mode, mapped.data(), lengths.data(), expected.data());
    reference::forward(s, mode, x.data(), lengths.data(), y.data(), scale.data(), shift.data());
    CHECK(t::normwise_relative_error(y, expected) <= 1e-15);
    CHECK(y[2 * s.features] == 0.0);  // an empty video still pools to zeros, not to the shift

    const ynet::ops::frame_pooling::cpu::Kernel kernel(s, mode);
    const auto xf = t::to_float(x), scalef = t::to_float(scale), shiftf = t::to_float(shift);
    std::vector<float> yf(y.size(), -7.f);
    kernel.forward(xf.data(), lengths.data(), yf.data(), scalef.data(), shiftf.data());
    const double e = t::normwise_relative_error(yf, expected);
    CHECK(e <= 1e-5);
    worst = std::max(worst, e);
  }
  MESSAGE("affine frame pooling cpu vs reference worst relative error: " << worst);
}

TEST_CASE("pooling stored bytes pools their dequantized values, with and without a folded affine map") {
  const FramePoolingShape s{5, 9, 1152};
  const std::vector<std::int32_t> lengths{9, 4, 0, 1, 12};  // 12: clamped to the 9 frames
  std::vector<std::uint8_t> q(s.batch * s.time * s.features);
  const auto noise = t::random_vector(q.size(), 51, 0.0, 256.0);
  for (std::size_t i = 0; i < q.size(); ++i) q[i] = static_cast<std::uint8_t>(std::min(255.0, noise[i]));
  // The starter code's dequantisation of YouTube-8M bytes; the padding bytes stand for a value too,
  // which pooling must never see.
  const double dq_scale = 4.0 / 255.0, dq_bias = 4.0 / 512.0 - 2.0;
  std::vector<double> x(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) x[i] = dq_scale * q[i] + dq_bias;
  const auto scale = t::round_to_float(t::random_vector(s.features, 52, -1.5, 1.5));
  const auto shift = t::round_to_float(t::random_vector(s.features, 53));
  double worst = 0.0;
  for (PoolingMode mode : kAllModes) {
    for (const bool affine : {false, true}) {
      CAPTURE(affine);
      const double* a = affine ? scale.data() : nullptr;
      const double* c = affine ? shift.data() : nullptr;
      std::vector<double> expected(s.batch * s.features), y(expected.size());
      reference::forward(s, mode, x.data(), lengths.data(), expected.data(), a, c);
      reference::forward_stored_bytes(s, mode, q.data(), lengths.data(), dq_scale, dq_bias, y.data(), a, c);
      CHECK(t::normwise_relative_error(y, expected) <= 1e-15);
      CHECK(y[2 * s.features] == 0.0);

      const ynet::ops::frame_pooling::cpu::Kernel kernel(s, mode, true);
      const auto scalef = t::to_float(scale), shiftf = t::to_float(shift);
      std::vector<float> yf(y.size(), -7.f);
      kernel.forward_stored_bytes(q.data(), lengths.data(), static_cast<float>(dq_scale), static_cast<float>(dq_bias),
                                  yf.data(), affine ? scalef.data() : nullptr, affine ? shiftf.data() : nullptr);
      const double e = t::normwise_relative_error(yf, expected);
      CHECK(e <= 1e-6);
      CHECK(yf[2 * s.features] == 0.f);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("stored-byte frame pooling cpu vs reference worst relative error: " << worst);
  const ynet::ops::frame_pooling::cpu::Kernel floats(s, PoolingMode::max);
  std::vector<float> y(s.batch * s.features);
  CHECK_THROWS_AS(floats.forward_stored_bytes(q.data(), lengths.data(), 1.f, 0.f, y.data()), std::logic_error);
}
