// Dense in int8 (ops/dense/int8.h): the reference against integers worked out by hand,
// the oneDNN kernel against the reference, and both against the float layer they stand in for.
#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/dense/int8.h"
#include "ops/dense/int8_cpu.h"
#include "ops/dense/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::ActivationKind;
using ynet::ops::dense::DenseShape;
namespace int8 = ynet::ops::dense::int8;
namespace t = ynet::testing;

namespace {

const ActivationKind kAllActivations[] = {ActivationKind::none, ActivationKind::relu, ActivationKind::sigmoid,
                                          ActivationKind::tanh};

struct Layer {
  std::vector<double> x, w, b;
};

// Unsigned inputs are what a ReLU leaves: non-negative, some exactly zero.
Layer random_layer(const DenseShape& s, bool unsigned_input, std::uint64_t seed) {
  Layer l{t::round_to_float(t::random_vector(s.rows * s.inputs, seed)),
          t::round_to_float(t::random_vector(s.inputs * s.outputs, seed + 1, -0.5, 0.5)),
          t::round_to_float(t::random_vector(s.outputs, seed + 2))};
  if (unsigned_input)
    for (double& v : l.x) v = std::max(v, 0.0);
  return l;
}

// sqrt(sum (a - e)^2 / sum e^2): the typical error, where normwise_relative_error reports the worst
// element, which for thousands of outputs is a 4-sigma tail of the rounding noise.
double rms_relative_error(const std::vector<double>& actual, const std::vector<double>& expected) {
  double error = 0.0, size = 0.0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    error += (actual[i] - expected[i]) * (actual[i] - expected[i]);
    size += expected[i] * expected[i];
  }
  return size > 0.0 ? std::sqrt(error / size) : std::sqrt(error);
}

std::vector<double> reference_int8(const DenseShape& s, ActivationKind a, bool unsigned_input, const Layer& l) {
  std::vector<double> w_scale(s.outputs), y(s.rows * s.outputs);
  std::vector<int8_t> qw(l.w.size());
  int8::reference::quantize_weights(s, l.w.data(), w_scale.data(), qw.data());
  int8::reference::forward(s, a, unsigned_input, l.x.data(), qw.data(), w_scale.data(), s.has_bias ? l.b.data() : nullptr,
                           y.data());
  return y;
}

}  // namespace

TEST_CASE("int8 reference: per-column weight scales, per-row input scales, integers summed exactly") {
  // W = [[1, -0.5], [0.25, 2]]: column 0 has scale 1/127, column 1 scale 2/127.
  const DenseShape s{2, 2, 2, true};
  const std::vector<double> w{1, -0.5, 0.25, 2}, b{0.5, -1};
  std::vector<double> w_scale(2);
  std::vector<int8_t> qw(4);
  int8::reference::quantize_weights(s, w.data(), w_scale.data(), qw.data());
  CHECK(w_scale[0] == doctest::Approx(1.0 / 127));
  CHECK(w_scale[1] == doctest::Approx(2.0 / 127));
  // 0.25 * 127 = 31.75 -> 32; -0.5 * 63.5 = -31.75 -> -32; ties to even: none here.
  CHECK(std::vector<int>(qw.begin(), qw.end()) == std::vector<int>{127, -32, 32, 127});

  // Row 0: x = [0.5, -1], signed, scale 1/127: q = [64 (63.5 rounds to even), -127].
  // Row 1: all zeros: scale 1, q = 0, so y = b.
  const std::vector<double> x{0.5, -1, 0, 0};
  std::vector<double> y(4);
  int8::reference::forward(s, ActivationKind::none, false, x.data(), qw.data(), w_scale.data(), b.data(), y.data());
  const double sx = 1.0 / 127;
  CHECK(y[0] == doctest::Approx((64 * 127 + -127 * 32) * sx * w_scale[0] + 0.5));
  CHECK(y[1] == doctest::Approx((64 * -32 + -127 * 127) * sx * w_scale[1] - 1));
  CHECK(y[2] == 0.5);
  CHECK(y[3] == -1);

  // Unsigned: x = [1, 0.25] has scale 1/255: q = [255, 63.75 -> 64].
  const std::vector<double> u{1, 0.25, 0, 0};
  int8::reference::forward(s, ActivationKind::relu, true, u.data(), qw.data(), w_scale.data(), b.data(), y.data());
  CHECK(y[0] == doctest::Approx((255 * 127 + 64 * 32) / 255.0 * w_scale[0] + 0.5));
  CHECK(y[1] == doctest::Approx(std::max(0.0, (255 * -32 + 64 * 127) / 255.0 * w_scale[1] - 1)));
}

TEST_CASE("int8 oneDNN kernel matches the int8 reference, and both stay near the float layer") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst_kernel = 0.0, worst_float = 0.0;
  for (const DenseShape& s : {DenseShape{1, 1, 1, true}, DenseShape{3, 9, 7, true}, DenseShape{17, 64, 12, false},
                              DenseShape{40, 1152, 100, true}}) {
    for (bool unsigned_input : {false, true}) {
      for (ActivationKind a : kAllActivations) {
        CAPTURE(s.rows);
        CAPTURE(s.inputs);
        CAPTURE(unsigned_input);
        CAPTURE(static_cast<int>(a));
        const Layer l = random_layer(s, unsigned_input, 11 + s.inputs);
        const std::vector<double> expected = reference_int8(s, a, unsigned_input, l);
        std::vector<double> exact(expected.size());
        ynet::ops::dense::reference::forward(s, a, l.x.data(), l.w.data(), l.b.data(), exact.data());

        ynet::ops::dense::cpu::Int8Kernel kernel(s, a, unsigned_input, engine);
        const auto x = t::to_float(l.x), w = t::to_float(l.w), b = t::to_float(l.b);
        std::vector<float> w_scale(s.outputs), y(expected.size(), -7.f);
        kernel.quantize_weights(w.data(), w_scale.data(), stream);
        kernel.forward(x.data(), w_scale.data(), s.has_bias ? b.data() : nullptr, y.data(), stream);
        const double e = t::normwise_relative_error(y, expected);
        CHECK(e <= 1e-5);
        worst_kernel = std::max(worst_kernel, e);
        const double q = rms_relative_error(expected, exact);
        CHECK(q <= 2e-2);
        worst_float = std::max(worst_float, q);
      }
    }
  }
  MESSAGE("int8 dense: cpu vs int8 reference worst relative error " << worst_kernel << ", int8 vs float " << worst_float);
}
