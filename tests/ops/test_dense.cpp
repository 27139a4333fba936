#include <doctest/doctest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <vector>

#include "ops/dense/cpu.h"
#include "ops/dense/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::ActivationKind;
using ynet::ops::dense::DenseShape;
namespace reference = ynet::ops::dense::reference;
namespace t = ynet::testing;

namespace {

const ActivationKind kAllActivations[] = {ActivationKind::none, ActivationKind::relu, ActivationKind::sigmoid,
                                          ActivationKind::tanh};

struct Tensors {
  std::vector<double> x, w, b, upstream;
};

Tensors random_tensors(const DenseShape& s, std::uint64_t seed) {
  return {t::round_to_float(t::random_vector(s.rows * s.inputs, seed)),
          t::round_to_float(t::random_vector(s.inputs * s.outputs, seed + 1, -0.5, 0.5)),
          t::round_to_float(t::random_vector(s.outputs, seed + 2)),
          t::round_to_float(t::random_vector(s.rows * s.outputs, seed + 3))};
}

double weighted_output(const DenseShape& s, ActivationKind a, const Tensors& in) {
  std::vector<double> y(s.rows * s.outputs);
  reference::forward(s, a, in.x.data(), in.w.data(), in.b.data(), y.data());
  return t::dot(y, in.upstream);
}

}  // namespace

TEST_CASE("dense reference matches a hand-computed layer") {
  const DenseShape s{2, 2, 1, true};
  const std::vector<double> x{1, 2, 3, 0.5}, w{0.5, -1}, b{0.25};
  std::vector<double> y(2);
  reference::forward(s, ActivationKind::none, x.data(), w.data(), b.data(), y.data());
  CHECK(y[0] == doctest::Approx(-1.25));
  CHECK(y[1] == doctest::Approx(1.25));
  reference::forward(s, ActivationKind::relu, x.data(), w.data(), b.data(), y.data());
  CHECK(y[0] == 0.0);
  CHECK(y[1] == doctest::Approx(1.25));
  reference::forward(s, ActivationKind::sigmoid, x.data(), w.data(), b.data(), y.data());
  CHECK(y[0] == doctest::Approx(1.0 / (1.0 + std::exp(1.25))));
}

TEST_CASE("dense reference gradients match central differences") {
  double worst = 0.0;
  for (const DenseShape& s : {DenseShape{1, 1, 1, true}, DenseShape{3, 5, 4, true}, DenseShape{4, 6, 3, false}}) {
    for (ActivationKind a : kAllActivations) {
      CAPTURE(s.rows);
      CAPTURE(static_cast<int>(a));
      Tensors in = random_tensors(s, 11 + s.rows);
      std::vector<double> y(s.rows * s.outputs), dx(in.x.size()), dw(in.w.size()), db(in.b.size());
      reference::forward(s, a, in.x.data(), in.w.data(), in.b.data(), y.data());
      reference::backward(s, a, in.x.data(), in.w.data(), y.data(), in.upstream.data(), dx.data(), dw.data(),
                          db.data());
      auto loss_of = [&](std::vector<double> Tensors::*field) {
        return [&, field](const std::vector<double>& v) {
          Tensors copy = in;
          copy.*field = v;
          return weighted_output(s, a, copy);
        };
      };
      for (double e : {t::gradient_error(loss_of(&Tensors::x), in.x, dx),
                       t::gradient_error(loss_of(&Tensors::w), in.w, dw),
                       s.has_bias ? t::gradient_error(loss_of(&Tensors::b), in.b, db) : 0.0}) {
        CHECK(e <= 1e-6);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("dense reference vs finite differences worst relative error: " << worst);
}

TEST_CASE("dense oneDNN kernel matches the reference in fp32") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double worst = 0.0;
  for (const DenseShape& s : {DenseShape{1, 1, 1, true}, DenseShape{1, 9, 7, true}, DenseShape{17, 33, 12, false},
                              DenseShape{64, 150, 40, true}}) {
    for (ActivationKind a : kAllActivations) {
      CAPTURE(s.rows);
      CAPTURE(s.inputs);
      CAPTURE(static_cast<int>(a));
      const Tensors in = random_tensors(s, 5 + s.inputs);
      std::vector<double> y(s.rows * s.outputs), dx(in.x.size()), dw(in.w.size()), db(in.b.size());
      reference::forward(s, a, in.x.data(), in.w.data(), in.b.data(), y.data());
      reference::backward(s, a, in.x.data(), in.w.data(), y.data(), in.upstream.data(), dx.data(), dw.data(),
                          db.data());

      ynet::ops::dense::cpu::Kernel kernel(s, a, engine);
      const auto x = t::to_float(in.x), w = t::to_float(in.w), b = t::to_float(in.b), dy = t::to_float(in.upstream);
      std::vector<float> yf(y.size()), dxf(dx.size()), dwf(dw.size()), dbf(db.size());
      std::vector<float> workspace(kernel.workspace_bytes() / sizeof(float));
      kernel.forward(x.data(), w.data(), b.data(), yf.data(), stream);
      kernel.backward(x.data(), w.data(), yf.data(), dy.data(), dxf.data(), dwf.data(), dbf.data(), workspace.data(),
                      stream);
      stream.wait();
      for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf, dx),
                       t::normwise_relative_error(dwf, dw),
                       s.has_bias ? t::normwise_relative_error(dbf, db) : 0.0}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("dense cpu vs reference worst relative error: " << worst);
}

TEST_CASE("dense oneDNN backward without an input gradient leaves dx alone") {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const DenseShape s{3, 4, 2, true};
  const Tensors in = random_tensors(s, 99);
  ynet::ops::dense::cpu::Kernel kernel(s, ActivationKind::tanh, engine);
  const auto x = t::to_float(in.x), w = t::to_float(in.w), b = t::to_float(in.b), dy = t::to_float(in.upstream);
  std::vector<float> y(6), dw(8), db(2), workspace(kernel.workspace_bytes() / sizeof(float));
  kernel.forward(x.data(), w.data(), b.data(), y.data(), stream);
  kernel.backward(x.data(), w.data(), y.data(), dy.data(), nullptr, dw.data(), db.data(), workspace.data(), stream);
  stream.wait();
  std::vector<double> yr(6), dwr(8), dbr(2);
  reference::forward(s, ActivationKind::tanh, in.x.data(), in.w.data(), in.b.data(), yr.data());
  reference::backward(s, ActivationKind::tanh, in.x.data(), in.w.data(), yr.data(), in.upstream.data(), nullptr,
                      dwr.data(), dbr.data());
  CHECK(t::normwise_relative_error(dw, dwr) <= 1e-4);
  CHECK(t::normwise_relative_error(db, dbr) <= 1e-4);
}
