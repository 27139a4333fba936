// Mixture-of-experts layer: the double reference (output and both auxiliary losses) against central
// differences, and the oneDNN kernel against the reference (fp32, error normalised by the largest
// |reference| value of each tensor).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "ops/moe/cpu.h"
#include "ops/moe/gating_noise.h"
#include "ops/moe/reference.h"
#include "tests/ops/gradcheck.h"
#include "tests/ops/kernel_compare.h"

namespace {

using ynet::ops::ActivationKind;
using ynet::ops::moe::ExpertLayer;
using ynet::ops::moe::MoeShape;
namespace moe = ynet::ops::moe;
namespace t = ynet::testing;

size_t sz(int64_t n) { return static_cast<size_t>(n); }

struct Case {
  MoeShape shape;
  std::vector<double> gate, noise;
  std::vector<std::vector<double>> weights, biases;
  std::vector<double> x, eps;  // eps empty: no noise
  std::vector<int32_t> lengths;
  double aux_weight = 0.7;     // loss = <y, dy> + aux_weight * (L_importance + L_load)
};

Case make_case(MoeShape shape, std::vector<int32_t> lengths, bool with_eps, uint64_t seed) {
  Case c;
  c.shape = std::move(shape);
  const MoeShape& s = c.shape;
  c.lengths = std::move(lengths);
  c.gate = t::random_vector(sz(s.input * s.experts), seed + 1, -1.0, 1.0);
  if (s.noisy) c.noise = t::random_vector(sz(s.input * s.experts), seed + 2, -1.0, 1.0);
  for (int64_t j = 0; j < s.layers(); ++j) {
    c.weights.push_back(t::random_vector(sz(s.experts * s.layer_input(j) * s.layer_output(j)), seed + 10 + j, -0.7, 0.7));
    c.biases.push_back(s.expert[sz(j)].bias
                           ? t::random_vector(sz(s.experts * s.layer_output(j)), seed + 20 + j, -0.3, 0.3)
                           : std::vector<double>{});
  }
  c.x = t::random_vector(sz(s.rows() * s.input), seed + 30, -1.0, 1.0);
  if (with_eps && s.noisy) {
    c.eps = t::random_vector(sz(s.rows() * s.experts), seed + 40, -1.5, 1.5);
  }
  return c;
}

template <class T>
moe::Params<T> params_of(const std::vector<T>& gate, const std::vector<T>& noise,
                         const std::vector<std::vector<T>>& weights, const std::vector<std::vector<T>>& biases) {
  moe::Params<T> p;
  p.gate = gate.data();
  p.noise = noise.empty() ? nullptr : noise.data();
  for (const auto& w : weights) p.weights.push_back(w.data());
  for (const auto& b : biases) p.biases.push_back(b.empty() ? nullptr : b.data());
  return p;
}

template <class T>
struct Result {
  std::vector<T> y, dx, d_gate, d_noise;
  std::vector<std::vector<T>> d_weights, d_biases;
  moe::Losses losses;

  explicit Result(const Case& c)
      : y(sz(c.shape.rows() * c.shape.output())),
        dx(c.x.size()),
        d_gate(c.gate.size(), T(7)),  // junk that a correct kernel overwrites
        d_noise(c.noise.size(), T(7)) {
    for (const auto& w : c.weights) d_weights.emplace_back(w.size(), T(7));
    for (const auto& b : c.biases) d_biases.emplace_back(b.size(), T(7));
  }
  moe::Grads<T> grads() {
    moe::Grads<T> g;
    g.gate = d_gate.data();
    g.noise = d_noise.empty() ? nullptr : d_noise.data();
    for (auto& w : d_weights) g.weights.push_back(w.data());
    for (auto& b : d_biases) g.biases.push_back(b.empty() ? nullptr : b.data());
    return g;
  }
};

const int32_t* lengths_of(const Case& c) { return c.lengths.empty() ? nullptr : c.lengths.data(); }

Result<double> run_reference(const Case& c, const std::vector<double>& dy) {
  Result<double> r(c);
  moe::reference::Kernel kernel(c.shape);
  const auto p = params_of(c.gate, c.noise, c.weights, c.biases);
  r.losses = kernel.forward(p, c.x.data(), lengths_of(c), c.eps.empty() ? nullptr : c.eps.data(), r.y.data(), {});
  kernel.backward(p, dy.data(), c.aux_weight, r.dx.data(), r.grads());
  return r;
}

double reference_loss(const Case& c, const std::vector<double>& dy) {
  std::vector<double> y(dy.size());
  moe::reference::Kernel kernel(c.shape);
  const moe::Losses losses = kernel.forward(params_of(c.gate, c.noise, c.weights, c.biases), c.x.data(),
                                            lengths_of(c), c.eps.empty() ? nullptr : c.eps.data(), y.data(), {});
  return t::dot(y, dy) + c.aux_weight * losses.total();
}

std::vector<double> output_weights(const Case& c, uint64_t seed) {
  return t::random_vector(sz(c.shape.rows() * c.shape.output()), seed, -1.0, 1.0);
}

double worst_gradcheck_error(const Case& c, const std::vector<double>& dy) {
  const Result<double> analytic = run_reference(c, dy);
  const auto check = [&](std::vector<double> Case::*tensor, const std::vector<double>& grad) {
    const auto loss = [&](const std::vector<double>& values) {
      Case copy = c;
      copy.*tensor = values;
      return reference_loss(copy, dy);
    };
    return t::gradient_error(loss, c.*tensor, grad);
  };
  double worst = std::max(check(&Case::x, analytic.dx), check(&Case::gate, analytic.d_gate));
  if (c.shape.noisy) worst = std::max(worst, check(&Case::noise, analytic.d_noise));
  for (size_t j = 0; j < c.weights.size(); ++j) {
    for (auto [tensor, grad] :
         {std::pair{&Case::weights, &analytic.d_weights}, {&Case::biases, &analytic.d_biases}}) {
      const auto loss = [&, tensor = tensor](const std::vector<double>& values) {
        Case copy = c;
        (copy.*tensor)[j] = values;
        return reference_loss(copy, dy);
      };
      worst = std::max(worst, t::gradient_error(loss, (c.*tensor)[j], (*grad)[j]));
    }
  }
  return worst;
}

MoeShape shape(int64_t batch, int64_t time, int64_t input, int64_t experts, int64_t top_k, bool noisy,
               std::vector<ExpertLayer> expert, double w_importance = 0.3, double w_load = 0.4) {
  MoeShape s;
  s.batch = batch;
  s.time = time;
  s.input = input;
  s.experts = experts;
  s.top_k = top_k;
  s.noisy = noisy;
  s.w_importance = w_importance;
  s.w_load = w_load;
  s.expert = std::move(expert);
  return s;
}

}  // namespace

TEST_CASE("MoE reference matches central differences") {
  const std::vector<ExpertLayer> two_layers{{5, ActivationKind::tanh}, {3, ActivationKind::none}};
  SUBCASE("noisy top-2 of 4, padded rows") {
    const Case c = make_case(shape(2, 3, 4, 4, 2, true, two_layers), {3, 1}, true, 1);
    CHECK(worst_gradcheck_error(c, output_weights(c, 2)) <= 1e-6);
  }
  SUBCASE("auxiliary losses alone") {
    const Case c = make_case(shape(3, 2, 3, 5, 2, true, two_layers, 1.0, 1.0), {2, 2, 1}, true, 3);
    CHECK(worst_gradcheck_error(c, std::vector<double>(sz(c.shape.rows() * 3), 0.0)) <= 1e-6);
  }
  SUBCASE("noisy gating without noise samples (inference-time load)") {
    const Case c = make_case(shape(2, 2, 3, 4, 1, true, two_layers), {}, false, 4);
    CHECK(worst_gradcheck_error(c, output_weights(c, 5)) <= 1e-6);
  }
  SUBCASE("clean top-1, sigmoid expert") {
    const Case c = make_case(shape(4, 1, 3, 3, 1, false, {{4, ActivationKind::sigmoid}}), {1, 1, 0, 1}, true, 6);
    CHECK(worst_gradcheck_error(c, output_weights(c, 7)) <= 1e-6);
  }
  SUBCASE("k equal to the number of experts") {
    const Case c = make_case(shape(2, 2, 3, 3, 3, true, two_layers), {2, 1}, true, 8);
    CHECK(worst_gradcheck_error(c, output_weights(c, 9)) <= 1e-6);
  }
  SUBCASE("an expert layer without bias") {
    const Case c = make_case(
        shape(2, 2, 3, 4, 2, true, {{4, ActivationKind::tanh, false}, {3, ActivationKind::none}}), {2, 1}, true, 12);
    CHECK(worst_gradcheck_error(c, output_weights(c, 13)) <= 1e-6);
  }
  SUBCASE("relu experts") {
    const Case c = make_case(shape(2, 2, 4, 4, 2, true, {{6, ActivationKind::relu}, {2, ActivationKind::relu}}),
                             {2, 2}, true, 10);
    CHECK(worst_gradcheck_error(c, output_weights(c, 11)) <= 1e-6);
  }
}

namespace {

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
  moe::cpu::Kernel kernel(c.shape, engine);
  const auto gate = t::to_float(c.gate), noise = t::to_float(c.noise);
  const auto weights = to_float(c.weights), biases = to_float(c.biases);
  const auto x = t::to_float(c.x), eps = t::to_float(c.eps), dy_f = t::to_float(dy);
  const auto p = params_of(gate, noise, weights, biases);
  r.losses = kernel.forward(p, x.data(), lengths_of(c), eps.empty() ? nullptr : eps.data(), r.y.data(), {}, stream);
  kernel.backward(p, dy_f.data(), static_cast<float>(c.aux_weight), r.dx.data(), r.grads(), stream);
  kernel.backward(p, dy_f.data(), static_cast<float>(c.aux_weight), r.dx.data(), r.grads(), stream);
  return r;
}

double relative(double actual, double expected) {
  return std::fabs(actual - expected) / std::max(std::fabs(expected), 1e-30);
}

double worst_cpu_error(const Case& c) {
  const std::vector<double> dy = output_weights(c, 77);
  const Result<double> ref = run_reference(c, dy);
  const Result<float> cpu = run_cpu(c, dy);
  double worst = std::max({t::max_normalized_error(cpu.y, ref.y), t::max_normalized_error(cpu.dx, ref.dx),
                           t::max_normalized_error(cpu.d_gate, ref.d_gate),
                           t::max_normalized_error(cpu.d_noise, ref.d_noise),
                           relative(cpu.losses.importance, ref.losses.importance),
                           relative(cpu.losses.load, ref.losses.load)});
  for (size_t j = 0; j < c.weights.size(); ++j) {
    worst = std::max({worst, t::max_normalized_error(cpu.d_weights[j], ref.d_weights[j]),
                      t::max_normalized_error(cpu.d_biases[j], ref.d_biases[j])});
  }
  return worst;
}

}  // namespace

TEST_CASE("MoE oneDNN kernel matches the reference") {
  const std::vector<ExpertLayer> two_layers{{16, ActivationKind::relu}, {12, ActivationKind::none}};
  SUBCASE("noisy top-2 of 8, padded rows and an empty video") {
    CHECK(worst_cpu_error(make_case(shape(3, 5, 10, 8, 2, true, two_layers), {5, 2, 0}, true, 101)) <= 1e-4);
  }
  SUBCASE("k = 1") {
    CHECK(worst_cpu_error(make_case(shape(4, 3, 6, 5, 1, true, two_layers), {3, 3, 1, 2}, true, 102)) <= 1e-4);
  }
  SUBCASE("k = experts") {
    CHECK(worst_cpu_error(make_case(shape(2, 4, 6, 4, 4, true, two_layers), {4, 3}, true, 103)) <= 1e-4);
  }
  SUBCASE("batch 1, length 1, clean gating, sigmoid then tanh experts") {
    const std::vector<ExpertLayer> layers{{7, ActivationKind::sigmoid}, {5, ActivationKind::tanh}};
    CHECK(worst_cpu_error(make_case(shape(1, 1, 6, 4, 2, false, layers), {1}, true, 104)) <= 1e-4);
  }
  SUBCASE("expert layers without bias") {
    const std::vector<ExpertLayer> layers{{10, ActivationKind::relu, false}, {6, ActivationKind::none, false}};
    CHECK(worst_cpu_error(make_case(shape(3, 4, 8, 5, 2, true, layers), {4, 1, 3}, true, 106)) <= 1e-4);
  }
  SUBCASE("three expert layers, no noise samples") {
    const std::vector<ExpertLayer> layers{{9, ActivationKind::relu}, {8, ActivationKind::tanh}, {4}};
    CHECK(worst_cpu_error(make_case(shape(5, 2, 7, 6, 3, true, layers), {}, false, 105)) <= 1e-4);
  }
}

TEST_CASE("MoE with every video empty has zero output, gradients and losses") {
  const Case c = make_case(shape(2, 3, 4, 4, 2, true, {{5, ActivationKind::relu}, {3}}), {0, 0}, true, 111);
  const std::vector<double> dy = output_weights(c, 3);
  const Result<double> ref = run_reference(c, dy);
  const Result<float> cpu = run_cpu(c, dy);
  CHECK(ref.losses.total() == 0.0);
  CHECK(cpu.losses.total() == 0.0);
  for (const auto* tensor : {&cpu.y, &cpu.dx, &cpu.d_gate, &cpu.d_noise, &cpu.d_weights[0], &cpu.d_biases[1]}) {
    for (float v : *tensor) CHECK(v == 0.0f);
  }
}

TEST_CASE("MoE gating ties go to the lower expert index") {
  // Experts 1 and 2 have identical gate and noise columns, so H ties on every row.
  Case c = make_case(shape(2, 2, 3, 4, 1, true, {{4, ActivationKind::none}}), {2, 2}, true, 121);
  const int64_t e_count = 4;
  for (int64_t d = 0; d < 3; ++d) {
    c.gate[sz(d * e_count + 0)] = c.gate[sz(d * e_count + 3)] = -5.0;  // experts 0 and 3 never win
    c.gate[sz(d * e_count + 2)] = c.gate[sz(d * e_count + 1)];
    c.noise[sz(d * e_count + 2)] = c.noise[sz(d * e_count + 1)];
  }
  for (size_t r = 0; r < 4; ++r) c.eps[r * 4 + 2] = c.eps[r * 4 + 1];
  for (size_t r = 0; r < 4; ++r) c.x[r * 3] = std::fabs(c.x[r * 3]) + 0.5;  // keeps x W_g of 0 and 3 far below
  // Expert 1 outputs its bias only; expert 2 its bias plus x W: with k = 1, y must be expert 1's bias.
  c.weights[0].assign(c.weights[0].size(), 0.0);
  for (size_t i = 2 * 3 * 4; i < 3 * 3 * 4; ++i) c.weights[0][i] = 1.0;
  const std::vector<double> dy = output_weights(c, 5);
  const Result<double> ref = run_reference(c, dy);
  for (size_t r = 0; r < 4; ++r) {
    for (size_t u = 0; u < 4; ++u) CHECK(ref.y[r * 4 + u] == doctest::Approx(c.biases[0][4 + u]).epsilon(1e-12));
  }
  CHECK(worst_cpu_error(c) <= 1e-4);
  SUBCASE("k = 2 picks both tied experts") {
    c.shape.top_k = 2;
    const Result<double> both = run_reference(c, dy);
    double weight_sum = 0.0;
    for (size_t r = 0; r < 4; ++r) weight_sum += both.y[r * 4] - 0.5 * (c.biases[0][4] + c.biases[0][8]);
    CHECK(weight_sum != doctest::Approx(0.0));  // expert 2's x W term enters with gate 1/2
    CHECK(worst_cpu_error(c) <= 1e-4);
  }
}

TEST_CASE("MoE auxiliary losses match a hand computation") {
  // One row, one input feature equal to 1: clean = W_g, raw = W_noise, no noise samples so H = clean.
  Case c = make_case(shape(1, 1, 1, 3, 1, true, {{2}}, 1.0, 1.0), {1}, false, 131);
  c.x = {1.0};
  c.gate = {0.5, -0.25, 0.1};
  c.noise = {0.3, -1.0, 0.0};
  const Result<double> r = run_reference(c, std::vector<double>(2, 0.0));
  const auto softplus = [](double v) { return std::log1p(std::exp(v)); };
  const auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  // k = 1 picks expert 0 (G = 1): importance = (1, 0, 0), CV^2 = var / mean^2 = (2/9) / (1/9) = 2.
  CHECK(r.losses.importance == doctest::Approx(2.0).epsilon(1e-9));
  // Expert 0 is chosen, so its threshold is the runner-up 0.1; the others compare with the best, 0.5.
  const std::vector<double> load{phi((0.5 - 0.1) / softplus(0.3)), phi((-0.25 - 0.5) / softplus(-1.0)),
                                 phi((0.1 - 0.5) / softplus(0.0))};
  const double mean = (load[0] + load[1] + load[2]) / 3.0;
  double var = 0.0;
  for (double l : load) var += (l - mean) * (l - mean) / 3.0;
  CHECK(r.losses.load == doctest::Approx(var / (mean * mean)).epsilon(1e-8));
}

TEST_CASE("MoE gating noise is standard normal and a pure function of its key") {
  const ynet::ops::dropout::philox::MaskKey key{7, 3, 2};
  std::vector<double> eps(20001);
  moe::fill_gating_noise(key, 0, static_cast<int64_t>(eps.size()), eps.data());
  double mean = 0.0, square = 0.0;
  for (double e : eps) {
    mean += e;
    square += e * e;
  }
  mean /= static_cast<double>(eps.size());
  square /= static_cast<double>(eps.size());
  CHECK(std::fabs(mean) < 0.03);
  CHECK(std::fabs(square - 1.0) < 0.05);
  std::vector<float> head(7);
  moe::fill_gating_noise(key, 0, 7, head.data());
  for (size_t i = 0; i < head.size(); ++i) CHECK(head[i] == static_cast<float>(eps[i]));
  // A slice starting at an odd sample (inside a Box-Muller pair) draws the whole tensor's samples.
  moe::fill_gating_noise(key, 1001, 7, head.data());
  for (size_t i = 0; i < head.size(); ++i) CHECK(head[i] == static_cast<float>(eps[1001 + i]));
  std::vector<double> other(7);
  moe::fill_gating_noise({7, 4, 2}, 0, 7, other.data());
  CHECK(other[0] != eps[0]);
}
