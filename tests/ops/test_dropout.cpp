#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "ops/dropout/cpu.h"
#include "ops/support/philox.h"
#include "ops/dropout/reference.h"
#include "ops/lstm/dropout_keep.h"
#include "tests/ops/gradcheck.h"

namespace philox = ynet::ops::dropout::philox;
namespace reference = ynet::ops::dropout::reference;
using ynet::ops::dropout::cpu::Kernel;
namespace t = ynet::testing;

namespace {

std::vector<float> cpu_forward(const Kernel& kernel, const philox::MaskKey& key, const std::vector<float>& x) {
  std::vector<float> y(x.size());
  kernel.forward(key, 0, x.data(), y.data());
  return y;
}

}  // namespace

// Known-answer vectors published with Random123 (kat_vectors): counter, key -> output.
TEST_CASE("philox4x32-10 reproduces the Random123 known answers") {
  const auto zero = philox::philox4x32_10(philox::Block{{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.word[0] == 0x6627e8d5u);
  CHECK(zero.word[1] == 0xe169c58du);
  CHECK(zero.word[2] == 0xbc57ac4cu);
  CHECK(zero.word[3] == 0x9b00dbd8u);
  const auto ones = philox::philox4x32_10(philox::Block{{~0u, ~0u, ~0u, ~0u}}, ~0u, ~0u);
  CHECK(ones.word[0] == 0x408f276du);
  CHECK(ones.word[1] == 0x41c83b0eu);
  CHECK(ones.word[2] == 0xa20bc7c6u);
  CHECK(ones.word[3] == 0x6d5451fdu);
  const auto pi = philox::philox4x32_10(philox::Block{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                                        0xa4093822u, 0x299f31d0u);
  CHECK(pi.word[0] == 0xd16cfe09u);
  CHECK(pi.word[1] == 0x94fdccebu);
  CHECK(pi.word[2] == 0x5001e420u);
  CHECK(pi.word[3] == 0x24126ea1u);
}

TEST_CASE("dropout drops at the requested rate and rescales the kept units") {
  const std::size_t count = 200003;  // not a multiple of 4: the last Philox block is partial
  const double rate = 0.4;
  const std::vector<float> x(count, 1.0f);
  const Kernel kernel(count, rate);
  const auto y = cpu_forward(kernel, {7, 3, 1}, x);
  std::size_t dropped = 0;
  for (float v : y) {
    if (v == 0.0f) {
      ++dropped;
    } else {
      CHECK(v == static_cast<float>(1.0 / (1.0 - rate)));
    }
  }
  const double fraction = static_cast<double>(dropped) / count;
  // Standard deviation of the fraction is sqrt(0.24 / count) ~ 0.0011; allow about 5 of them.
  CHECK(fraction == doctest::Approx(rate).epsilon(0.006 / rate));
  MESSAGE("dropout observed drop fraction " << fraction << " for rate " << rate);
}

TEST_CASE("dropout masks depend on seed, step and tensor but not on the thread count") {
  const std::size_t count = 100001;
  const auto x = t::to_float(t::random_vector(count, 5));
  const Kernel kernel(count, 0.5);
  const philox::MaskKey key{123, 9, 4};
  omp_set_num_threads(1);
  const auto one_thread = cpu_forward(kernel, key, x);
  for (int threads : {2, 3, 8}) {
    omp_set_num_threads(threads);
    const auto many = cpu_forward(kernel, key, x);
    CHECK(std::memcmp(one_thread.data(), many.data(), count * sizeof(float)) == 0);
  }
  const auto differing = [&](const philox::MaskKey& other) {
    const auto y = cpu_forward(kernel, other, x);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < count; ++i) differ += (y[i] == 0.0f) != (one_thread[i] == 0.0f);
    return static_cast<double>(differ) / count;
  };
  // Independent masks at rate 0.5 disagree on half of the units.
  CHECK(differing({124, 9, 4}) == doctest::Approx(0.5).epsilon(0.03));
  CHECK(differing({123, 10, 4}) == doctest::Approx(0.5).epsilon(0.03));
  CHECK(differing({123, 9, 5}) == doctest::Approx(0.5).epsilon(0.03));
  CHECK(differing({123, 9 + (1ull << 32), 4}) == doctest::Approx(0.5).epsilon(0.03));
}

TEST_CASE("dropout CPU kernel uses the reference's mask, forward and backward") {
  double worst = 0.0;
  for (std::size_t count : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{1001}}) {
    for (double rate : {0.0, 0.1, 0.75}) {
      const philox::MaskKey key{2024, count, 2};
      const auto x = t::round_to_float(t::random_vector(count, count + 10));
      const auto dy = t::round_to_float(t::random_vector(count, count + 11));
      std::vector<double> y(count), dx(count);
      reference::forward(rate, key, 0, x.data(), y.data(), count);
      reference::backward(rate, key, 0, dy.data(), dx.data(), count);
      const Kernel kernel(count, rate);
      const auto xf = t::to_float(x), dyf = t::to_float(dy);
      std::vector<float> yf(count), dxf(count);
      kernel.forward(key, 0, xf.data(), yf.data());
      kernel.backward(key, 0, dyf.data(), dxf.data());
      for (std::size_t i = 0; i < count; ++i) {
        CHECK((yf[i] == 0.0f) == (y[i] == 0.0));
        CHECK((dxf[i] == 0.0f) == (yf[i] == 0.0f));
      }
      if (rate == 0.0) CHECK(yf == xf);
      for (double e : {t::normwise_relative_error(yf, y), t::normwise_relative_error(dxf, dx)}) {
        CHECK(e <= 1e-4);
        worst = std::max(worst, e);
      }
    }
  }
  MESSAGE("dropout cpu vs reference worst relative error: " << worst);
}

TEST_CASE("dropout reference gradient matches central differences") {
  const std::size_t count = 64;
  const philox::MaskKey key{1, 2, 3};
  const auto x = t::random_vector(count, 1);
  const auto upstream = t::random_vector(count, 2);
  std::vector<double> dx(count);
  reference::backward(0.3, key, 0, upstream.data(), dx.data(), count);
  const auto loss = [&](const std::vector<double>& v) {
    std::vector<double> y(count);
    reference::forward(0.3, key, 0, v.data(), y.data(), count);
    return t::dot(y, upstream);
  };
  const double e = t::gradient_error(loss, x, dx);
  CHECK(e <= 1e-6);
  MESSAGE("dropout reference vs finite differences worst relative error: " << e);
}

TEST_CASE("dropout rejects rates outside [0, 1)") {
  CHECK_THROWS_AS(Kernel(10, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(Kernel(10, -0.1), std::invalid_argument);
  double v = 1.0;
  CHECK_THROWS_AS(reference::forward(1.5, {}, 0, &v, &v, 1), std::invalid_argument);
}

TEST_CASE("the AVX-512 and the portable mask agree bit for bit, and with philox::keeps") {
  namespace detail = ynet::ops::dropout::cpu::detail;
  if (!detail::have_avx512_mask()) {
    MESSAGE("skipped: this CPU has no AVX-512 (the portable mask is the only one in use)");
    return;
  }
  constexpr std::size_t n = detail::kChunkElements;
  std::vector<float> x(n), portable(n), vectorised(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 1.0f + static_cast<float>(i);
  std::size_t kept = 0, total = 0;
  for (const philox::MaskKey key : {philox::MaskKey{0, 0, 0}, philox::MaskKey{~0ull, ~0ull, ~0u},
                                    philox::MaskKey{2024, (1ull << 32) + 5, 7}}) {
    for (const double rate : {0.0, 0.3, 0.999}) {
      const std::uint32_t threshold = philox::drop_threshold(rate);
      for (const std::uint64_t chunk : {0ull, 1ull, 12345ull, (1ull << 28) - 1}) {
        const std::pair<std::size_t, std::size_t> ranges[] = {{0, n}, {0, 1}, {0, 17}, {0, n - 1}, {5, n}, {17, 40}, {63, n}};
        for (const auto& [begin, end] : ranges) {
          std::fill(portable.begin(), portable.end(), -1.0f);
          std::fill(vectorised.begin(), vectorised.end(), -1.0f);
          detail::mask_chunk_portable(key, chunk, threshold, 2.0f, x.data(), portable.data(), begin, end);
          detail::mask_chunk_avx512(key, chunk, threshold, 2.0f, x.data(), vectorised.data(), begin, end);
          REQUIRE(std::memcmp(portable.data(), vectorised.data(), n * sizeof(float)) == 0);  // past the range too
          for (std::size_t k = begin; k < end; ++k) {
            const bool keep = philox::keeps(key, chunk * n + k, threshold);
            CHECK(vectorised[k - begin] == (keep ? 2.0f * x[k - begin] : 0.0f));
            kept += keep;
            ++total;
          }
        }
      }
    }
  }
  CHECK(kept > 0);
  CHECK(kept < total);
}

TEST_CASE("the kernel's keep mask is the LSTM's between-layer mask") {
  const std::size_t count = 10007;
  const philox::MaskKey key{99, 12, 5};
  const Kernel kernel(count, 0.4);
  std::vector<float> vectorised(count, -1.0f), scalar(count, -1.0f);
  for (const std::uint64_t first : {0ull, 1ull, 63ull, 64ull, 100003ull}) {
    kernel.keep_mask(key, first, vectorised.data());
    ynet::ops::lstm::fill_dropout_keep<float>(key, 0.4, first, static_cast<int64_t>(count), scalar.data());
    CHECK(vectorised == scalar);
    CHECK(std::count(scalar.begin(), scalar.end(), 0.0f) > 0);
  }
}

// Data parallelism: a process holding rows [r0, r1) of the global batch passes the index of its
// first element in the global tensor, and must draw exactly that part of the global mask.
TEST_CASE("dropout over a slice of a tensor draws that slice of the whole tensor's mask") {
  const std::size_t total = 1000, rows = 10, row_elements = total / rows;
  const philox::MaskKey key{5, 77, 3};
  std::vector<double> x(total), whole(total);
  for (std::size_t i = 0; i < total; ++i) x[i] = 1.0 + static_cast<double>(i);
  reference::forward(0.5, key, 0, x.data(), whole.data(), total);
  std::vector<float> xf(x.begin(), x.end()), whole_f(total);
  Kernel(total, 0.5).forward(key, 0, xf.data(), whole_f.data());
  for (const auto& [first_row, slice_rows] : {std::pair<std::size_t, std::size_t>{0, 3}, {3, 4}, {7, 3}, {1, 9}}) {
    const std::size_t first = first_row * row_elements, count = slice_rows * row_elements;
    std::vector<double> part(count);
    reference::forward(0.5, key, first, x.data() + first, part.data(), count);
    CHECK(std::equal(part.begin(), part.end(), whole.begin() + static_cast<std::ptrdiff_t>(first)));
    std::vector<float> part_f(count);
    Kernel(count, 0.5).backward(key, first, xf.data() + first, part_f.data());
    CHECK(std::equal(part_f.begin(), part_f.end(), whole_f.begin() + static_cast<std::ptrdiff_t>(first)));
  }
}
