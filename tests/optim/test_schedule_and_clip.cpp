#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ops/optim/clip/clip.h"
#include "ops/optim/schedule/schedule.h"

using namespace ynet::ops::optim;

TEST_CASE("learning-rate schedules count samples") {
  const LearningRateSchedule step{1e-4, DecayKind::step, 0.95, 2e7};
  CHECK(step.at(0) == 1e-4);
  CHECK(step.at(19'999'999) == 1e-4);
  CHECK(step.at(20'000'000) == doctest::Approx(0.95e-4));
  CHECK(step.at(45'000'000) == doctest::Approx(0.9025e-4));
  const LearningRateSchedule smooth{1e-4, DecayKind::exponential, 0.95, 2e7};
  CHECK(smooth.at(10'000'000) == doctest::Approx(1e-4 * std::sqrt(0.95)));
  CHECK(smooth.at(40'000'000) == doctest::Approx(0.9025e-4));
  const LearningRateSchedule constant{3e-3};
  CHECK(constant.at(123456789) == 3e-3);
}

TEST_CASE_TEMPLATE("clip_by_norm clips each tensor on its own, as TensorFlow's clip_by_norm", T, float, double) {
  std::vector<T> big{3, 4}, small{0.3f, 0.4f};
  const std::vector<T> small_before = small;
  GradientClipper<T> clipper({2, 2});
  T* tensors[] = {big.data(), small.data()};
  std::vector<double> norms(2);
  clipper.clip_each_by_norm(tensors, 1.0, norms);
  CHECK(norms[0] == doctest::Approx(5.0));
  CHECK(norms[1] == doctest::Approx(0.5));
  CHECK(big[0] == doctest::Approx(0.6));
  CHECK(big[1] == doctest::Approx(0.8));
  CHECK(small == small_before);
}

TEST_CASE_TEMPLATE("clip_by_global_norm scales all tensors by one factor", T, float, double) {
  std::vector<T> a{3, 4}, b{12};
  GradientClipper<T> clipper({2, 1});
  T* tensors[] = {a.data(), b.data()};
  CHECK(clipper.clip_by_global_norm(tensors, 6.5) == doctest::Approx(13.0));
  CHECK(a == std::vector<T>{1.5, 2});
  CHECK(b == std::vector<T>{6});
  // Now within the limit: untouched.
  CHECK(clipper.clip_by_global_norm(tensors, 6.5) == doctest::Approx(6.5));
  CHECK(a == std::vector<T>{1.5, 2});
}

TEST_CASE("clipping leaves non-finite gradients for the caller to report") {
  std::vector<float> a{1, std::numeric_limits<float>::infinity()}, b{2};
  GradientClipper<float> clipper({2, 1});
  float* tensors[] = {a.data(), b.data()};
  CHECK(std::isinf(clipper.clip_by_global_norm(tensors, 1.0)));
  CHECK(a[0] == 1.f);
  CHECK(b[0] == 2.f);
}

TEST_CASE("global norm is bit-identical for any thread count") {
  const std::size_t size = 1'000'003;
  std::vector<float> grad(size);
  for (std::size_t i = 0; i < size; ++i) grad[i] = std::sin(static_cast<float>(i)) * 1e-3f;
  GradientClipper<float> clipper({size});
  std::vector<double> norms;
  for (int threads : {1, 2, 5}) {
    omp_set_num_threads(threads);
    std::vector<float> copy = grad;
    float* tensors[] = {copy.data()};
    norms.push_back(clipper.clip_by_global_norm(tensors, 1e9));
  }
  CHECK(std::memcmp(&norms[0], &norms[1], sizeof(double)) == 0);
  CHECK(std::memcmp(&norms[0], &norms[2], sizeof(double)) == 0);
}
