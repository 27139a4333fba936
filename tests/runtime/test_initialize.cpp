// Initial values: the orthogonal initialiser draws Haar-distributed (uniformly random) orthogonal
// gate blocks, as TensorFlow's and PyTorch's orthogonal initialisers do, bit for bit the same on
// every platform and thread count; and the normal numbers it starts from.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numbers>
#include <omp.h>
#include <set>

#include "compiler/lower/compile.h"
#include "runtime/train/initialize.h"
#include "runtime/train/portable_math.h"

using namespace ynet;

namespace {

// Block g of an orthogonal [H, 4H] recurrent kernel, row-major H x H, in double.
std::vector<double> gate_block(const std::vector<float>& w, int64_t h, int64_t g) {
  std::vector<double> q(static_cast<size_t>(h * h));
  for (int64_t r = 0; r < h; ++r)
    for (int64_t c = 0; c < h; ++c) q[static_cast<size_t>(r * h + c)] = w[static_cast<size_t>(r * 4 * h + g * h + c)];
  return q;
}

double orthogonality_error(const std::vector<double>& q, int64_t n) {  // max |Q^T Q - I|
  double worst = 0;
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < n; ++b) {
      double s = 0;
      for (int64_t k = 0; k < n; ++k) s += q[static_cast<size_t>(k * n + a)] * q[static_cast<size_t>(k * n + b)];
      worst = std::max(worst, std::fabs(s - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}

double mean_row_max(const std::vector<double>& q, int64_t n) {  // mean over rows of max |q_ij|
  double total = 0;
  for (int64_t r = 0; r < n; ++r) {
    double m = 0;
    for (int64_t c = 0; c < n; ++c) m = std::max(m, std::fabs(q[static_cast<size_t>(r * n + c)]));
    total += m;
  }
  return total / static_cast<double>(n);
}

std::vector<float> recurrent(int64_t h, uint64_t seed, const std::string& name = "lstm.layer0/recurrent_weights") {
  return train::initial_values("orthogonal", {h, 4 * h}, h, 4 * h, seed, name, {});
}

uint64_t fnv(const std::vector<float>& v) {
  uint64_t h = 1469598103934665603ull;
  for (float f : v) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    for (int k = 0; k < 4; ++k) {
      h ^= (bits >> (8 * k)) & 0xffu;
      h *= 1099511628211ull;
    }
  }
  return h;
}

}  // namespace

TEST_CASE("orthogonal gate blocks are orthogonal") {
  for (int64_t h : {1, 2, 5, 64, 130}) {
    const std::vector<float> w = recurrent(h, 7);
    for (int64_t g = 0; g < 4; ++g) {
      INFO("H = " << h << ", gate " << g);
      CHECK(orthogonality_error(gate_block(w, h, g), h) < 1e-5);
    }
  }
  // Tall kernels get blocks along the rows, square ones are one block.
  const std::vector<float> tall = train::initial_values("orthogonal", {96, 32}, 96, 32, 3, "tall", {});
  for (int64_t b = 0; b < 3; ++b) {
    std::vector<double> q(32 * 32);
    for (size_t i = 0; i < q.size(); ++i) q[i] = tall[static_cast<size_t>(b * 32 * 32) + i];
    CHECK(orthogonality_error(q, 32) < 1e-5);
  }
  const std::vector<float> square = train::initial_values("orthogonal", {48, 48}, 48, 48, 3, "square", {});
  CHECK(orthogonality_error(std::vector<double>(square.begin(), square.end()), 48) < 1e-5);
}

// A Haar-random orthogonal matrix has rows uniform on the sphere, whose largest entry for n = 256 is
// 0.1905 on average (0.0215 standard deviation per row; the mean over a matrix's 256 rows varies by
// about 0.0014, by simulation of normalised Gaussian vectors). A signed permutation times a few
// reflections (the initialiser before this one) puts about 0.9 into one entry of every row.
TEST_CASE("orthogonal gate blocks are Haar-distributed: the largest entry of a row") {
  const int64_t h = 256;
  for (uint64_t seed : {1u, 2u}) {
    const std::vector<float> w = recurrent(h, seed);
    for (int64_t g = 0; g < 4; ++g) {
      const double m = mean_row_max(gate_block(w, h, g), h);
      INFO("seed " << seed << ", gate " << g << ": mean largest |entry| per row " << m);
      CHECK(m > 0.180);
      CHECK(m < 0.201);
    }
  }
}

// The entries of a Haar matrix, times sqrt(n), are close to standard normal: their fourth moment is
// 3n/(n+2) exactly, and about 4.6% of them exceed 2 in magnitude.
TEST_CASE("orthogonal gate blocks are Haar-distributed: the entries") {
  const int64_t h = 256;
  const std::vector<float> w = recurrent(h, 11);
  double fourth = 0, beyond_two = 0;
  for (float x : w) {
    const double z = x * std::sqrt(static_cast<double>(h));
    fourth += z * z * z * z;
    beyond_two += std::fabs(z) > 2.0 ? 1.0 : 0.0;
  }
  fourth /= static_cast<double>(w.size());
  beyond_two /= static_cast<double>(w.size());
  CHECK(fourth == doctest::Approx(3.0 * 256 / 258).epsilon(0.03));
  CHECK(beyond_two == doctest::Approx(0.0455).epsilon(0.06));
}

TEST_CASE("orthogonal initialisation is a pure function of the seed and the name") {
  const std::vector<float> a = recurrent(64, 5);
  CHECK(a == recurrent(64, 5));
  CHECK(a != recurrent(64, 6));
  CHECK(a != recurrent(64, 5, "lstm.layer1/recurrent_weights"));
  // The four gate blocks are independent draws.
  CHECK(gate_block(a, 64, 0) != gate_block(a, 64, 1));
  // Any thread count gives the same bits.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<float> one = recurrent(200, 9);
  omp_set_num_threads(3);
  const std::vector<float> three = recurrent(200, 9);
  omp_set_num_threads(threads);
  CHECK(one == three);
  CHECK(one == recurrent(200, 9));
}

// The values are the same on every platform, compiler and standard library: the normal numbers are
// computed from Philox bits with +, -, *, / and sqrt alone, and the orthogonalisation sums in a
// fixed order. A platform where this fails draws different initial models from the same seed.
TEST_CASE("orthogonal initialisation: the same bits everywhere") {
  CHECK(fnv(recurrent(64, 1)) == 0xf5b5a25f0a1f83a8ull);
  CHECK(fnv(train::initial_values("orthogonal", {200, 200}, 200, 200, 2, "big", {})) == 0x07e2e20225ce8897ull);
}

TEST_CASE("the portable logarithm, sine and cosine agree with the standard library's") {
  for (int i = 1; i <= 20000; ++i) {
    const double x = std::ldexp(static_cast<double>(i) * 0.61803398874989485, -(i % 60));
    CHECK(train::portable::log(x) == doctest::Approx(std::log(x)).epsilon(1e-15));
    const double t = static_cast<double>(i) / 20001.0;
    double s = 0, c = 0;
    train::portable::sincos_turns(t, s, c);
    CHECK(std::fabs(s - std::sin(2 * std::numbers::pi * t)) < 2e-15);
    CHECK(std::fabs(c - std::cos(2 * std::numbers::pi * t)) < 2e-15);
  }
  CHECK(train::portable::log(1.0) == 0.0);
  CHECK(train::portable::log(0x1p-53) == doctest::Approx(-53 * std::numbers::ln2).epsilon(1e-15));
}

TEST_CASE("standard normal numbers") {
  const int count = 400000;
  double sum = 0, squares = 0, fourth = 0, beyond_two = 0;
  for (int i = 0; i < count; ++i) {
    const double z = train::standard_normal(3, 17, static_cast<uint64_t>(i));
    sum += z;
    squares += z * z;
    fourth += z * z * z * z;
    beyond_two += std::fabs(z) > 2.0 ? 1.0 : 0.0;
  }
  CHECK(std::fabs(sum / count) < 0.01);
  CHECK(squares / count == doctest::Approx(1.0).epsilon(0.01));
  CHECK(fourth / count == doctest::Approx(3.0).epsilon(0.03));
  CHECK(beyond_two / count == doctest::Approx(0.0455).epsilon(0.03));
  CHECK(train::standard_normal(3, 17, 12345) == train::standard_normal(3, 17, 12345));
  CHECK(train::standard_normal(3, 17, 12345) != train::standard_normal(4, 17, 12345));
}

// How long a paper model's initialisation takes (not run by default: `runtime_initialize
// --no-skip -tc='*timing*'`).
TEST_CASE("timing: initialising Simple_LSTM_2048" * doctest::skip()) {
  sema::CheckResult r = sema::check_file("specs/simple_lstm_2048.ynet", {});
  REQUIRE(r.model.has_value());
  compiler::CompileOptions o;
  o.batch = 2;
  const plan::Plan p = compiler::compile(*r.model, o).plan;
  std::set<int> orthogonal;
  for (const ir::ParamEntry& e : p.graph.params)
    if (e.init == "orthogonal") orthogonal.insert(e.value);
  std::vector<std::pair<int64_t, std::vector<float>>> kernels;  // [H, 4H] recurrent kernels
  const auto start = std::chrono::steady_clock::now();
  train::initialize(p, 1, {}, [&](int v, std::span<const float> d) {
    if (orthogonal.count(v)) kernels.emplace_back(p.graph.value(v).shape[0], std::vector<float>(d.begin(), d.end()));
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double row_max = 0;
  int blocks = 0;
  for (const auto& [h, w] : kernels)
    for (int64_t g = 0; g < 4; ++g, ++blocks) row_max += mean_row_max(gate_block(w, h, g), h);
  MESSAGE("Simple_LSTM_2048 initialised in " << seconds << " s with " << omp_get_max_threads()
                                              << " threads; mean largest |entry| per row of its " << blocks
                                              << " recurrent blocks: " << row_max / blocks);
}
