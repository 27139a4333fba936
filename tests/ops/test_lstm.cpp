// LSTM stack: the double reference against central differences, and the oneDNN kernel against the
// reference (fp32, error normalised by the largest |reference| value of each tensor).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "ops/lstm/cpu.h"
#include "ops/lstm/dropout_keep.h"
#include "ops/lstm/reference.h"
#include "tests/ops/gradcheck.h"
#include "tests/ops/kernel_compare.h"

namespace {

using ynet::ops::lstm::LayerGrads;
using ynet::ops::lstm::LayerParams;
using ynet::ops::lstm::LstmShape;
namespace lstm = ynet::ops::lstm;
namespace t = ynet::testing;

struct Case {
  LstmShape shape;
  std::vector<std::vector<double>> w, u, b;
  std::vector<double> x;
  std::vector<double> keep;  // empty: no dropout
  std::vector<int32_t> lengths;
};

Case make_case(const LstmShape& shape, std::vector<int32_t> lengths, double dropout_rate, uint64_t seed) {
  Case c{shape, {}, {}, {}, {}, {}, std::move(lengths)};
  const auto size = [](int64_t n) { return static_cast<size_t>(n); };
  for (int64_t l = 0; l < shape.layers; ++l) {
    c.w.push_back(t::random_vector(size(shape.gates() * shape.layer_input(l)), seed + 10 * l + 1, -0.6, 0.6));
    c.u.push_back(t::random_vector(size(shape.gates() * shape.hidden), seed + 10 * l + 2, -0.6, 0.6));
    c.b.push_back(t::random_vector(size(shape.gates()), seed + 10 * l + 3, -0.3, 0.3));
  }
  c.x = t::random_vector(size(shape.rows() * shape.input), seed + 1000, -1.0, 1.0);
  if (dropout_rate > 0.0) {
    c.keep = t::random_vector(size(shape.layers * shape.rows() * shape.hidden), seed + 2000, 0.0, 1.0);
    for (double& k : c.keep) k = k < dropout_rate ? 0.0 : 1.0 / (1.0 - dropout_rate);
  }
  return c;
}

template <class T>
std::vector<LayerParams<T>> params_of(const std::vector<std::vector<T>>& w, const std::vector<std::vector<T>>& u,
                                      const std::vector<std::vector<T>>& b) {
  std::vector<LayerParams<T>> params;
  for (size_t l = 0; l < w.size(); ++l) params.push_back({w[l].data(), u[l].data(), b[l].data()});
  return params;
}

template <class T>
struct Result {
  std::vector<T> y, dx;
  std::vector<std::vector<T>> dw, du, db;

  explicit Result(const Case& c) : y(static_cast<size_t>(c.shape.rows() * c.shape.hidden)), dx(c.x.size()) {
    for (size_t l = 0; l < c.w.size(); ++l) {
      dw.emplace_back(c.w[l].size(), T(7));  // junk that a correct kernel overwrites
      du.emplace_back(c.u[l].size(), T(7));
      db.emplace_back(c.b[l].size(), T(7));
    }
  }
  std::vector<LayerGrads<T>> grads() {
    std::vector<LayerGrads<T>> g;
    for (size_t l = 0; l < dw.size(); ++l) g.push_back({dw[l].data(), du[l].data(), db[l].data()});
    return g;
  }
};

Result<double> run_reference(const Case& c, const std::vector<double>& dy) {
  Result<double> r(c);
  lstm::reference::Kernel kernel(c.shape);
  const auto params = params_of(c.w, c.u, c.b);
  kernel.forward(params, c.x.data(), c.lengths.data(), c.keep.empty() ? nullptr : c.keep.data(), r.y.data());
  const auto grads = r.grads();
  kernel.backward(params, dy.data(), r.dx.data(), grads);
  return r;
}

std::vector<std::vector<float>> to_float(const std::vector<std::vector<double>>& v) {
  std::vector<std::vector<float>> out;
  for (const auto& e : v) out.push_back(t::to_float(e));
  return out;
}

// Runs forward and then backward twice, so that a kernel that accumulates into its outputs fails.
Result<float> run_cpu(const Case& c, const std::vector<double>& dy) {
  Result<float> r(c);
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const dnnl::stream stream(engine);
  lstm::cpu::Kernel kernel(c.shape, engine);
  const auto w = to_float(c.w), u = to_float(c.u), b = to_float(c.b);
  const auto x = t::to_float(c.x), keep = t::to_float(c.keep), dy_f = t::to_float(dy);
  kernel.sync_params(params_of(w, u, b), stream);
  kernel.forward(x.data(), c.lengths.data(), keep.empty() ? nullptr : keep.data(), r.y.data(), stream);
  const auto grads = r.grads();
  kernel.backward(dy_f.data(), r.dx.data(), grads, stream);
  kernel.backward(dy_f.data(), r.dx.data(), grads, stream);
  return r;
}

std::vector<double> output_weights(const Case& c, uint64_t seed) {
  return t::random_vector(static_cast<size_t>(c.shape.rows() * c.shape.hidden), seed, -1.0, 1.0);
}

double reference_loss(const Case& c, const std::vector<double>& dy) {
  std::vector<double> y(dy.size());
  lstm::reference::Kernel kernel(c.shape);
  kernel.forward(params_of(c.w, c.u, c.b), c.x.data(), c.lengths.data(), c.keep.empty() ? nullptr : c.keep.data(),
                 y.data());
  return t::dot(y, dy);
}

// Worst finite-difference error over every input and parameter gradient of loss = <y, dy>.
double worst_gradcheck_error(const Case& c) {
  const std::vector<double> dy = output_weights(c, 99);
  const Result<double> analytic = run_reference(c, dy);
  const auto check = [&](std::vector<double> Case::*tensor, const std::vector<double>& grad) {
    const auto loss = [&](const std::vector<double>& values) {
      Case copy = c;
      copy.*tensor = values;
      return reference_loss(copy, dy);
    };
    return t::gradient_error(loss, c.*tensor, grad);
  };
  double worst = check(&Case::x, analytic.dx);
  for (size_t l = 0; l < c.w.size(); ++l) {
    for (auto [tensor, grad] : {std::pair{&Case::w, &analytic.dw}, {&Case::u, &analytic.du}, {&Case::b, &analytic.db}}) {
      const auto loss = [&, tensor = tensor](const std::vector<double>& values) {
        Case copy = c;
        (copy.*tensor)[l] = values;
        return reference_loss(copy, dy);
      };
      worst = std::max(worst, t::gradient_error(loss, (c.*tensor)[l], (*grad)[l]));
    }
  }
  return worst;
}

double worst_cpu_error(const Case& c) {
  const std::vector<double> dy = output_weights(c, 77);
  const Result<double> ref = run_reference(c, dy);
  const Result<float> cpu = run_cpu(c, dy);
  double worst = std::max(t::max_normalized_error(cpu.y, ref.y), t::max_normalized_error(cpu.dx, ref.dx));
  for (size_t l = 0; l < c.w.size(); ++l) {
    worst = std::max({worst, t::max_normalized_error(cpu.dw[l], ref.dw[l]),
                      t::max_normalized_error(cpu.du[l], ref.du[l]), t::max_normalized_error(cpu.db[l], ref.db[l])});
  }
  return worst;
}

LstmShape shape(int64_t batch, int64_t time, int64_t input, int64_t hidden, int64_t layers, bool residual = false,
                double forget_bias = 1.0) {
  return LstmShape{batch, time, input, hidden, layers, residual, forget_bias};
}

}  // namespace

TEST_CASE("LSTM reference matches central differences") {
  SUBCASE("one step, one video") { CHECK(worst_gradcheck_error(make_case(shape(1, 1, 3, 2, 1), {1}, 0.0, 1)) <= 1e-6); }
  SUBCASE("stacked with dropout, mixed lengths including an empty video") {
    CHECK(worst_gradcheck_error(make_case(shape(3, 4, 3, 2, 2), {4, 2, 0}, 0.3, 2)) <= 1e-6);
  }
  SUBCASE("residual on every layer, non-default forget bias") {
    CHECK(worst_gradcheck_error(make_case(shape(2, 3, 3, 3, 3, true, 0.5), {3, 1}, 0.25, 3)) <= 1e-6);
  }
}

TEST_CASE("LSTM oneDNN kernel matches the reference") {
  SUBCASE("batch 1, length 1") { CHECK(worst_cpu_error(make_case(shape(1, 1, 4, 3, 1), {1}, 0.0, 11)) <= 1e-4); }
  SUBCASE("batch 1, several steps") { CHECK(worst_cpu_error(make_case(shape(1, 4, 4, 3, 2), {4}, 0.0, 16)) <= 1e-4); }
  SUBCASE("length 1, several videos") { CHECK(worst_cpu_error(make_case(shape(3, 1, 4, 3, 2), {1, 0, 1}, 0.0, 17)) <= 1e-4); }
  SUBCASE("three layers, residual, dropout, an empty video") {
    CHECK(worst_cpu_error(make_case(shape(3, 6, 5, 4, 3, true), {6, 2, 0}, 0.3, 12)) <= 1e-4);
  }
  SUBCASE("residual from the first layer, forget bias 0") {
    CHECK(worst_cpu_error(make_case(shape(2, 5, 8, 8, 2, true, 0.0), {5, 3}, 0.0, 13)) <= 1e-4);
  }
  SUBCASE("wider layers and longer sequences") {
    CHECK(worst_cpu_error(make_case(shape(4, 20, 48, 32, 2), {20, 13, 1, 7}, 0.4, 14)) <= 1e-4);
  }
  SUBCASE("every video empty") { CHECK(worst_cpu_error(make_case(shape(2, 3, 4, 4, 2, true), {0, 0}, 0.0, 15)) <= 1e-4); }
}

TEST_CASE("LSTM outputs and input gradients are exactly zero past each length") {
  const Case c = make_case(shape(2, 5, 4, 4, 2, true), {3, 0}, 0.2, 21);
  const std::vector<double> dy = output_weights(c, 5);
  const Result<double> ref = run_reference(c, dy);
  const Result<float> cpu = run_cpu(c, dy);
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t step = c.lengths[static_cast<size_t>(b)]; step < 5; ++step) {
      for (int64_t j = 0; j < 4; ++j) {
        const auto k = static_cast<size_t>((b * 5 + step) * 4 + j);
        CHECK(ref.y[k] == 0.0);
        CHECK(cpu.y[k] == 0.0f);
        CHECK(ref.dx[k] == 0.0);
        CHECK(cpu.dx[k] == 0.0f);
      }
    }
  }
}

TEST_CASE("LSTM forget bias is added to the forget gate, not stored in the bias") {
  // With zero weights every step sees the same gates: c_t = f c_{t-1} + i g with f = sigmoid(b_f + fb).
  LstmShape s = shape(1, 2, 1, 1, 1, false, 1.0);
  Case c = make_case(s, {2}, 0.0, 31);
  c.w[0].assign(4, 0.0);
  c.u[0].assign(4, 0.0);
  c.b[0] = {0.0, 0.0, 1.0, 0.0};
  const Result<double> r = run_reference(c, std::vector<double>(2, 0.0));
  const double i = 0.5, g = std::tanh(1.0), f = 1.0 / (1.0 + std::exp(-1.0)), o = 0.5;
  CHECK(r.y[0] == doctest::Approx(o * std::tanh(i * g)).epsilon(1e-12));
  CHECK(r.y[1] == doctest::Approx(o * std::tanh(f * i * g + i * g)).epsilon(1e-12));
  const Result<float> cpu = run_cpu(c, std::vector<double>(2, 0.0));
  CHECK(cpu.y[1] == doctest::Approx(r.y[1]).epsilon(1e-6));
}

TEST_CASE("LSTM dropout keep buffer drops at the given rate, scaled, reproducibly") {
  const ynet::ops::dropout::philox::MaskKey key{11, 5, 3};
  std::vector<float> keep(40003);
  lstm::fill_dropout_keep(key, 0.4, 0, static_cast<int64_t>(keep.size()), keep.data());
  size_t kept = 0, other = 0;
  for (float k : keep) {
    kept += k == static_cast<float>(1.0 / 0.6);
    other += k != 0.0f && k != static_cast<float>(1.0 / 0.6);
  }
  CHECK(other == 0);
  CHECK(static_cast<double>(kept) / static_cast<double>(keep.size()) == doctest::Approx(0.6).epsilon(0.02));
  std::vector<double> again(5);
  lstm::fill_dropout_keep(key, 0.4, 0, 5, again.data());
  for (size_t i = 0; i < again.size(); ++i) CHECK(static_cast<float>(again[i]) == keep[i]);
  // A slice starting inside a Philox block draws the whole tensor's elements there.
  lstm::fill_dropout_keep(key, 0.4, 4001, 5, again.data());
  for (size_t i = 0; i < again.size(); ++i) CHECK(static_cast<float>(again[i]) == keep[4001 + i]);
}
