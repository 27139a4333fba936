// Expected values are TensorFlow 1's update rules worked through by hand (see the comments), for
// both element types the backends use.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ops/optim/adam/adam.h"
#include "ops/optim/rmsprop/rmsprop.h"
#include "ops/optim/sgd/sgd.h"

using namespace ynet::ops::optim;

TEST_CASE_TEMPLATE("RMSProp follows TensorFlow 1: mean square starts at 1", T, float, double) {
  const RmsPropSettings plain{0.9, 0.0, 1e-10};
  std::vector<T> w{1, -2}, ms(2, static_cast<T>(kRmsPropInitialMeanSquare));
  const std::vector<T> g{0.5, 0};
  // ms = 1 + (0.25 - 1) 0.1 = 0.925; w = 1 - 0.01 * 0.5 / sqrt(0.925)
  rmsprop_step<T>(plain, 0.01, 2, g.data(), w.data(), ms.data(), nullptr);
  CHECK(ms[0] == doctest::Approx(0.925));
  CHECK(w[0] == doctest::Approx(0.9948012475511806).epsilon(1e-6));
  CHECK(ms[1] == doctest::Approx(0.9));  // a zero gradient still decays the mean square
  CHECK(w[1] == -2);
  // ms = 0.8575
  rmsprop_step<T>(plain, 0.01, 2, g.data(), w.data(), ms.data(), nullptr);
  CHECK(ms[0] == doctest::Approx(0.8575));
  CHECK(w[0] == doctest::Approx(0.989401755079935).epsilon(1e-6));

  const RmsPropSettings with_momentum{0.9, 0.9, 1e-10};
  std::vector<T> wm{1}, msm{1}, mom{0};
  rmsprop_step<T>(with_momentum, 0.01, 1, g.data(), wm.data(), msm.data(), mom.data());
  rmsprop_step<T>(with_momentum, 0.01, 1, g.data(), wm.data(), msm.data(), mom.data());
  // mom_2 = 0.9 mom_1 + 0.005 / sqrt(0.8575)
  CHECK(wm[0] == doctest::Approx(0.9847228778759977).epsilon(1e-6));
}

TEST_CASE_TEMPLATE("Adam follows TensorFlow 1 with bias correction in the step size", T, float, double) {
  const AdamSettings settings;
  std::vector<T> w{1}, m{0}, v{0};
  // The first step moves by almost exactly lr: lr_1 m / sqrt(v) = lr (1 - 1e-8 / 0.00316...).
  const T grads[] = {0.1, 0.1, -0.2};
  const double expected[] = {0.9990000031622677, 0.9980000053988899, 0.9980756546319595};
  for (int t = 1; t <= 3; ++t) {
    adam_step<T>(settings, 0.001, static_cast<std::uint64_t>(t), 1, &grads[t - 1], w.data(), m.data(), v.data());
    CHECK(w[0] == doctest::Approx(expected[t - 1]).epsilon(1e-6));
  }
  CHECK(m[0] == doctest::Approx((0.01 * 0.9 + 0.01) * 0.9 - 0.02));
}

TEST_CASE_TEMPLATE("SGD with and without momentum follows TensorFlow 1", T, float, double) {
  const std::vector<T> g{0.5};
  std::vector<T> w{1};
  sgd_step<T>({}, 0.1, 1, g.data(), w.data(), nullptr);
  CHECK(w[0] == doctest::Approx(0.95));

  std::vector<T> wm{1}, accumulation{0};
  sgd_step<T>({0.9, false}, 0.1, 1, g.data(), wm.data(), accumulation.data());
  sgd_step<T>({0.9, false}, 0.1, 1, g.data(), wm.data(), accumulation.data());
  // accumulation 0.5 then 0.95: w = 1 - 0.05 - 0.095
  CHECK(accumulation[0] == doctest::Approx(0.95));
  CHECK(wm[0] == doctest::Approx(0.855));

  std::vector<T> wn{1}, accumulation_n{0};
  sgd_step<T>({0.9, true}, 0.1, 1, g.data(), wn.data(), accumulation_n.data());
  sgd_step<T>({0.9, true}, 0.1, 1, g.data(), wn.data(), accumulation_n.data());
  // w = 1 - (0.05 + 0.045) - (0.05 + 0.0855)
  CHECK(wn[0] == doctest::Approx(0.7695));
}
