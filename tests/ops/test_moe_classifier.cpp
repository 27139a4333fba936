// Video-level MoE classifier and the cross-entropy on probabilities: the double reference against
// central differences, and the oneDNN kernel against the reference (fp32, error normalised by the
// largest |reference| value of each tensor).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/moe_classifier/cpu.h"
#include "ops/moe_classifier/probability_loss.h"
#include "ops/moe_classifier/reference.h"
#include "tests/ops/gradcheck.h"
#include "tests/ops/kernel_compare.h"

namespace {

using ynet::ops::moe_classifier::ClassifierShape;
namespace mc = ynet::ops::moe_classifier;
namespace t = ynet::testing;

size_t sz(int64_t n) { return static_cast<size_t>(n); }

struct Case {
  ClassifierShape shape;
  std::vector<double> gate_weights, expert_weights, expert_bias, x;
};

Case make_case(const ClassifierShape& s, uint64_t seed) {
  return Case{s, t::random_vector(sz(s.input * s.gate_columns()), seed + 1, -0.8, 0.8),
              t::random_vector(sz(s.input * s.expert_columns()), seed + 2, -0.8, 0.8),
              t::random_vector(sz(s.expert_columns()), seed + 3, -0.5, 0.5),
              t::random_vector(sz(s.batch * s.input), seed + 4, -1.0, 1.0)};
}

template <class T>
struct Result {
  std::vector<T> p, dx, d_gate, d_expert, d_bias;
  explicit Result(const Case& c)
      : p(sz(c.shape.batch * c.shape.classes)),
        dx(c.x.size()),
        d_gate(c.gate_weights.size(), T(7)),  // junk that a correct kernel overwrites
        d_expert(c.expert_weights.size(), T(7)),
        d_bias(c.expert_bias.size(), T(7)) {}
  mc::Grads<T> grads() { return {d_gate.data(), d_expert.data(), d_bias.data()}; }
};

Result<double> run_reference(const Case& c, const std::vector<double>& dp) {
  Result<double> r(c);
  mc::reference::Kernel kernel(c.shape);
  const mc::Params<double> params{c.gate_weights.data(), c.expert_weights.data(), c.expert_bias.data()};
  kernel.forward(params, c.x.data(), r.p.data());
  kernel.backward(params, dp.data(), r.dx.data(), r.grads());
  return r;
}

std::vector<double> probabilities(const Case& c) {
  std::vector<double> p(sz(c.shape.batch * c.shape.classes));
  mc::reference::Kernel kernel(c.shape);
  kernel.forward({c.gate_weights.data(), c.expert_weights.data(), c.expert_bias.data()}, c.x.data(), p.data());
  return p;
}

// Runs forward and then backward twice, so that a kernel that accumulates into its outputs fails.
Result<float> run_cpu(const Case& c, const std::vector<double>& dp) {
  Result<float> r(c);
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const dnnl::stream stream(engine);
  mc::cpu::Kernel kernel(c.shape, engine);
  const auto gate = t::to_float(c.gate_weights), expert = t::to_float(c.expert_weights);
  const auto bias = t::to_float(c.expert_bias), x = t::to_float(c.x), dp_f = t::to_float(dp);
  const mc::Params<float> params{gate.data(), expert.data(), bias.data()};
  kernel.forward(params, x.data(), r.p.data(), stream);
  kernel.backward(params, dp_f.data(), r.dx.data(), r.grads(), stream);
  kernel.backward(params, dp_f.data(), r.dx.data(), r.grads(), stream);
  return r;
}

// Worst finite-difference error of every input and parameter gradient of loss(p).
template <class Loss, class LossGrad>
double worst_gradcheck_error(const Case& c, const Loss& loss_of_p, const LossGrad& grad_of_p) {
  const std::vector<double> p = probabilities(c);
  const Result<double> analytic = run_reference(c, grad_of_p(p));
  double worst = 0.0;
  for (auto [tensor, grad] : {std::pair{&Case::x, &analytic.dx}, {&Case::gate_weights, &analytic.d_gate},
                              {&Case::expert_weights, &analytic.d_expert}, {&Case::expert_bias, &analytic.d_bias}}) {
    const auto loss = [&, tensor = tensor](const std::vector<double>& values) {
      Case copy = c;
      copy.*tensor = values;
      return loss_of_p(probabilities(copy));
    };
    worst = std::max(worst, t::gradient_error(loss, c.*tensor, *grad));
  }
  return worst;
}

double worst_linear_gradcheck_error(const Case& c) {
  const std::vector<double> dp = t::random_vector(sz(c.shape.batch * c.shape.classes), 50, -1.0, 1.0);
  return worst_gradcheck_error(
      c, [&](const std::vector<double>& p) { return t::dot(p, dp); }, [&](const std::vector<double>&) { return dp; });
}

double worst_cpu_error(const Case& c) {
  const std::vector<double> dp = t::random_vector(sz(c.shape.batch * c.shape.classes), 60, -1.0, 1.0);
  const Result<double> ref = run_reference(c, dp);
  const Result<float> cpu = run_cpu(c, dp);
  return std::max({t::max_normalized_error(cpu.p, ref.p), t::max_normalized_error(cpu.dx, ref.dx),
                   t::max_normalized_error(cpu.d_gate, ref.d_gate), t::max_normalized_error(cpu.d_expert, ref.d_expert),
                   t::max_normalized_error(cpu.d_bias, ref.d_bias)});
}

std::vector<double> labels_for(int64_t count, uint64_t seed) {
  std::vector<double> z = t::random_vector(sz(count), seed, 0.0, 1.0);
  for (double& v : z) v = v < 0.3 ? 1.0 : 0.0;
  return z;
}

}  // namespace

TEST_CASE("MoE classifier reference matches central differences") {
  SUBCASE("two mixtures") { CHECK(worst_linear_gradcheck_error(make_case({3, 4, 3, 2}, 1)) <= 1e-6); }
  SUBCASE("one video, one class, one mixture") {
    CHECK(worst_linear_gradcheck_error(make_case({1, 2, 1, 1}, 2)) <= 1e-6);
  }
  SUBCASE("through the probability cross-entropy with class weights") {
    const Case c = make_case({4, 3, 5, 3}, 3);
    const std::vector<double> labels = labels_for(4 * 5, 4);
    const std::vector<double> weights{1.0, 2.5, 0.5, 1.0, 4.0};
    const auto loss = [&](const std::vector<double>& p) {
      return mc::probability_loss::forward(4, 5, p.data(), labels.data(), weights.data());
    };
    const auto grad = [&](const std::vector<double>& p) {
      std::vector<double> dp(p.size());
      mc::probability_loss::backward(4, 5, p.data(), labels.data(), weights.data(), 1.0, dp.data());
      return dp;
    };
    CHECK(worst_gradcheck_error(c, loss, grad) <= 1e-6);
  }
}

TEST_CASE("MoE classifier oneDNN kernel matches the reference") {
  SUBCASE("batch 1, one mixture") { CHECK(worst_cpu_error(make_case({1, 5, 3, 1}, 11)) <= 1e-4); }
  SUBCASE("two mixtures, many classes") { CHECK(worst_cpu_error(make_case({8, 32, 20, 2}, 12)) <= 1e-4); }
  SUBCASE("four mixtures") { CHECK(worst_cpu_error(make_case({5, 16, 7, 4}, 13)) <= 1e-4); }
}

TEST_CASE("MoE classifier mixes with a dummy expert that outputs 0") {
  // Zero gate weights make every gate 1/(M+1), the dummy's included: p = sum_m sigmoid(e_m) / (M+1).
  Case c = make_case({2, 3, 2, 2}, 21);
  c.gate_weights.assign(c.gate_weights.size(), 0.0);
  const std::vector<double> p = probabilities(c);
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t k = 0; k < 2; ++k) {
      double expected = 0.0;
      for (int64_t m = 0; m < 2; ++m) {
        double z = c.expert_bias[sz(k * 2 + m)];
        for (int64_t i = 0; i < 3; ++i) z += c.x[sz(b * 3 + i)] * c.expert_weights[sz(i * 4 + k * 2 + m)];
        expected += 1.0 / (1.0 + std::exp(-z)) / 3.0;
      }
      CHECK(p[sz(b * 2 + k)] == doctest::Approx(expected).epsilon(1e-12));
    }
  }
}

TEST_CASE("probability cross-entropy is the starter code's") {
  const std::vector<double> p{0.9, 0.2, 0.0, 1.0};
  const std::vector<double> z{1.0, 0.0, 1.0, 0.0};
  const double eps = 1e-5;
  const double expected = -(std::log(0.9 + eps) + std::log(0.8 + eps) + std::log(eps) + std::log(eps)) / 2.0;
  CHECK(mc::probability_loss::forward(2, 2, p.data(), z.data(), static_cast<const double*>(nullptr)) ==
        doctest::Approx(expected).epsilon(1e-12));
  const std::vector<float> pf{0.9f, 0.2f, 0.0f, 1.0f}, zf{1.0f, 0.0f, 1.0f, 0.0f};
  CHECK(mc::probability_loss::forward(2, 2, pf.data(), zf.data(), static_cast<const float*>(nullptr)) ==
        doctest::Approx(expected).epsilon(1e-6));
  std::vector<double> dp(4);
  mc::probability_loss::backward(2, 2, p.data(), z.data(), static_cast<const double*>(nullptr), 1.0, dp.data());
  CHECK(dp[2] == doctest::Approx(-1.0 / eps / 2.0));  // finite at p = 0
  CHECK(dp[3] == doctest::Approx(1.0 / eps / 2.0));
}
