#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <vector>

#include "ops/vlad/cpu.h"
#include "ops/vlad/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::vlad::VladShape;
namespace reference = ynet::ops::vlad::reference;
namespace t = ynet::testing;

namespace {

struct Inputs {
  std::vector<double> a, x, c, upstream;
};

Inputs inputs_for(const VladShape& s, std::uint64_t seed) {
  Inputs in{t::random_vector(s.batch * s.rows * s.clusters, seed, 0.0, 1.0),
            t::random_vector(s.batch * s.rows * s.features, seed + 1),
            t::random_vector(s.clusters * s.features, seed + 2),
            t::random_vector(s.batch * s.clusters * s.features, seed + 3)};
  // The last row of each video is padding: its assignments are 0 (what the layers' softmax writes).
  for (std::size_t b = 0; b < s.batch; ++b)
    std::fill_n(in.a.begin() + static_cast<std::ptrdiff_t>(((b + 1) * s.rows - 1) * s.clusters), s.clusters, 0.0);
  return in;
}

}  // namespace

TEST_CASE("vlad aggregation is the residual sum of a hand-computed case") {
  // One video, two rows, one cluster, two features: v = sum_r a_r (x_r - c).
  const VladShape s{1, 2, 1, 2};
  const std::vector<double> a{0.25, 0.75}, x{1, 2, 3, 4}, c{1, 1};
  std::vector<double> v(2);
  reference::forward(s, a.data(), x.data(), c.data(), v.data());
  CHECK(v[0] == doctest::Approx(0.25 * 0 + 0.75 * 2));
  CHECK(v[1] == doctest::Approx(0.25 * 1 + 0.75 * 3));
  reference::forward(s, a.data(), x.data(), nullptr, v.data());
  CHECK(v[0] == doctest::Approx(0.25 * 1 + 0.75 * 3));
}

TEST_CASE("vlad aggregation reference gradients match central differences") {
  const VladShape s{2, 4, 3, 5};
  for (const bool centres : {true, false}) {
    Inputs in = inputs_for(s, 20);
    const double* c = centres ? in.c.data() : nullptr;
    std::vector<double> da(in.a.size()), dx(in.x.size()), dc(in.c.size());
    reference::backward(s, in.a.data(), in.x.data(), c, in.upstream.data(), da.data(), dx.data(),
                        centres ? dc.data() : nullptr);
    const auto loss = [&](const std::vector<double>& a, const std::vector<double>& x, const std::vector<double>& cv) {
      std::vector<double> v(in.upstream.size());
      reference::forward(s, a.data(), x.data(), centres ? cv.data() : nullptr, v.data());
      return t::dot(v, in.upstream);
    };
    CHECK(t::gradient_error([&](const std::vector<double>& v) { return loss(v, in.x, in.c); }, in.a, da) <= 1e-7);
    CHECK(t::gradient_error([&](const std::vector<double>& v) { return loss(in.a, v, in.c); }, in.x, dx) <= 1e-7);
    if (centres)
      CHECK(t::gradient_error([&](const std::vector<double>& v) { return loss(in.a, in.x, v); }, in.c, dc) <= 1e-7);
    // A padded row (a = 0) gets no descriptor gradient.
    for (std::size_t f = 0; f < s.features; ++f) CHECK(dx[(s.rows - 1) * s.features + f] == 0.0);
  }
}

TEST_CASE("vlad aggregation CPU kernel matches the reference in fp32") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst = 0.0;
  for (const VladShape& s : {VladShape{1, 1, 1, 1}, VladShape{3, 7, 4, 5}, VladShape{4, 30 * 8, 16, 32},
                             VladShape{2, 30, 64, 1152}}) {
    for (const bool centres : {true, false}) {
      const Inputs in = inputs_for(s, s.rows + s.features);
      const auto a = t::round_to_float(in.a), x = t::round_to_float(in.x), c = t::round_to_float(in.c);
      const auto dv = t::round_to_float(in.upstream);
      const double* cd = centres ? c.data() : nullptr;
      std::vector<double> v(dv.size()), da(a.size()), dx(x.size()), dc(c.size());
      reference::forward(s, a.data(), x.data(), cd, v.data());
      reference::backward(s, a.data(), x.data(), cd, dv.data(), da.data(), dx.data(), centres ? dc.data() : nullptr);
      const auto af = t::to_float(a), xf = t::to_float(x), cf = t::to_float(c), dvf = t::to_float(dv);
      const float* cfp = centres ? cf.data() : nullptr;
      const ynet::ops::vlad::cpu::Kernel kernel(s, engine);
      std::vector<float> vf(v.size()), daf(da.size()), dxf(dx.size()), dcf(dc.size());
      kernel.forward(af.data(), xf.data(), cfp, vf.data(), stream);
      kernel.backward(af.data(), xf.data(), cfp, dvf.data(), daf.data(), dxf.data(), centres ? dcf.data() : nullptr,
                      stream);
      stream.wait();
      std::vector<double> errors{t::normwise_relative_error(vf, v), t::normwise_relative_error(daf, da),
                                 t::normwise_relative_error(dxf, dx)};
      if (centres) errors.push_back(t::normwise_relative_error(dcf, dc));
      for (double e : errors) {
        CHECK(e <= 1e-5);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("vlad aggregation cpu vs reference worst relative error: " << worst);
}
