#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/sigmoid_cross_entropy/cpu.h"
#include "ops/sigmoid_cross_entropy/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::sigmoid_cross_entropy::CrossEntropyShape;
namespace reference = ynet::ops::sigmoid_cross_entropy::reference;
namespace t = ynet::testing;

namespace {

std::vector<double> random_labels(std::size_t count, std::uint64_t seed) {
  auto labels = t::random_vector(count, seed, 0.0, 1.0);
  for (auto& z : labels) z = z < 0.3 ? 1.0 : 0.0;
  return labels;
}

}  // namespace

TEST_CASE("sigmoid cross-entropy matches the naive formula and stays finite for huge logits") {
  const CrossEntropyShape s{2, 2};
  const std::vector<double> logits{0.5, -1.5, 2.0, 0.0}, labels{1, 0, 0, 1};
  double expected = 0.0;
  for (std::size_t k = 0; k < 4; ++k) {
    const double p = 1.0 / (1.0 + std::exp(-logits[k]));
    expected -= labels[k] * std::log(p) + (1 - labels[k]) * std::log(1 - p);
  }
  CHECK(reference::forward(s, logits.data(), labels.data(), nullptr) == doctest::Approx(expected / 2));

  // Weighted: the positive terms (k = 0 and 3, classes 0 and 1) are scaled by q_c.
  const std::vector<double> q{3.0, 0.5};
  const double weighted = (3.0 * std::log1p(std::exp(-0.5)) + std::log1p(std::exp(-1.5)) +
                           (2.0 + std::log1p(std::exp(-2.0))) + 0.5 * std::log(2.0)) / 2;
  CHECK(reference::forward(s, logits.data(), labels.data(), q.data()) == doctest::Approx(weighted));

  const std::vector<double> huge{1000.0, -1000.0}, ones{0, 0};
  CHECK(reference::forward({1, 2}, huge.data(), ones.data(), nullptr) == doctest::Approx(1000.0));
  const ynet::ops::sigmoid_cross_entropy::cpu::Kernel kernel({1, 2});
  const std::vector<float> huge_f{1000.f, -1000.f}, ones_f{0.f, 0.f};
  double row_sum = 0.0;
  float loss = 0.f;
  kernel.forward(huge_f.data(), ones_f.data(), nullptr, &loss, &row_sum);
  CHECK(loss == doctest::Approx(1000.0));
}

TEST_CASE("sigmoid cross-entropy reference gradient matches central differences") {
  double worst = 0.0;
  const CrossEntropyShape s{3, 5};
  const auto logits = t::random_vector(15, 1, -4.0, 4.0);
  auto labels = random_labels(15, 2);
  labels[4] = 0.25;  // a soft label
  const auto q = t::random_vector(5, 3, 0.5, 4.0);
  for (const double* weights : {static_cast<const double*>(nullptr), q.data()}) {
    std::vector<double> dlogits(15);
    reference::backward(s, logits.data(), labels.data(), weights, 0.7, dlogits.data());
    const auto loss = [&](const std::vector<double>& v) {
      return 0.7 * reference::forward(s, v.data(), labels.data(), weights);
    };
    const double e = t::gradient_error(loss, logits, dlogits);
    CHECK(e <= 1e-6);
    worst = std::max(worst, e);
  }
  MESSAGE("sigmoid cross-entropy reference vs finite differences worst relative error: " << worst);
}

TEST_CASE("sigmoid cross-entropy CPU kernel matches the reference in fp32") {
  double worst = 0.0;
  for (const CrossEntropyShape& s : {CrossEntropyShape{1, 1}, CrossEntropyShape{1, 20}, CrossEntropyShape{32, 3862}}) {
    const auto logits = t::round_to_float(t::random_vector(s.batch * s.classes, s.classes, -12.0, 12.0));
    const auto labels = random_labels(logits.size(), s.classes + 1);
    const auto q = t::round_to_float(t::random_vector(s.classes, 4, 0.5, 4.0));
    for (bool weighted : {false, true}) {
      const double* weights = weighted ? q.data() : nullptr;
      const double expected_loss = reference::forward(s, logits.data(), labels.data(), weights);
      std::vector<double> dlogits(logits.size());
      reference::backward(s, logits.data(), labels.data(), weights, 1.0, dlogits.data());

      const ynet::ops::sigmoid_cross_entropy::cpu::Kernel kernel(s);
      const auto logits_f = t::to_float(logits), labels_f = t::to_float(labels), q_f = t::to_float(q);
      std::vector<double> workspace(kernel.workspace_bytes() / sizeof(double));
      float loss = 0.f;
      std::vector<float> dlogits_f(logits.size());
      kernel.forward(logits_f.data(), labels_f.data(), weighted ? q_f.data() : nullptr, &loss, workspace.data());
      kernel.backward(logits_f.data(), labels_f.data(), weighted ? q_f.data() : nullptr, 1.f, dlogits_f.data());
      const double loss_error = std::fabs(loss - expected_loss) / std::fabs(expected_loss);
      for (double e : {loss_error, t::normwise_relative_error(dlogits_f, dlogits)}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("sigmoid cross-entropy cpu vs reference worst relative error: " << worst);
}
