#include "runtime/train/initialize.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "ops/support/philox.h"

namespace ynet::train {

uint64_t name_hash(const std::string& name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across platforms and runs
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

double uniform01(uint64_t seed, uint64_t stream, uint64_t index) {
  const ops::dropout::philox::Block counter{{static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                                             static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)}};
  const auto block = ops::dropout::philox::philox4x32_10(counter, static_cast<uint32_t>(seed),
                                                          static_cast<uint32_t>(seed >> 32));
  const uint64_t bits = (static_cast<uint64_t>(block.word[0]) << 21) ^ block.word[1];
  return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) / static_cast<double>(uint64_t{1} << 53);
}

double standard_normal(uint64_t seed, uint64_t stream, uint64_t index) {
  // Box-Muller over two uniforms of this index's own pair of counters.
  const double u1 = std::max(uniform01(seed, stream, 2 * index), 1e-300);
  const double u2 = uniform01(seed, stream, 2 * index + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

namespace {

void orthogonal_block(std::span<float> out, int64_t rows, int64_t cols, int64_t row0, int64_t n, uint64_t seed,
                      uint64_t stream) {
  // Q = signed permutation, then Q <- Q (I - 2 v v^T / |v|^2) for 8 random v: exactly orthogonal.
  std::vector<double> q(static_cast<size_t>(n * n), 0.0);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform01(seed, stream, static_cast<uint64_t>(i)) * static_cast<double>(i + 1));
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(std::min(j, i))]);
  }
  for (int64_t i = 0; i < n; ++i)
    q[static_cast<size_t>(i * n + perm[static_cast<size_t>(i)])] =
        uniform01(seed, stream + 1, static_cast<uint64_t>(i)) < 0.5 ? -1.0 : 1.0;
  std::vector<double> v(static_cast<size_t>(n)), qv(static_cast<size_t>(n));
  for (int r = 0; r < 8; ++r) {
    double norm2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      v[static_cast<size_t>(i)] = standard_normal(seed, stream + 2 + static_cast<uint64_t>(r), static_cast<uint64_t>(i));
      norm2 += v[static_cast<size_t>(i)] * v[static_cast<size_t>(i)];
    }
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t k = 0; k < n; ++k) s += q[static_cast<size_t>(i * n + k)] * v[static_cast<size_t>(k)];
      qv[static_cast<size_t>(i)] = s;
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < n; ++k)
        q[static_cast<size_t>(i * n + k)] -= 2.0 * qv[static_cast<size_t>(i)] * v[static_cast<size_t>(k)] / norm2;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n && k < cols; ++k)
      if (row0 + i < rows) out[static_cast<size_t>((row0 + i) * cols + k)] = static_cast<float>(q[static_cast<size_t>(i * n + k)]);
}

}  // namespace

std::vector<float> initial_values(const std::string& init, const std::vector<int64_t>& shape, int64_t fan_in,
                                  int64_t fan_out, uint64_t seed, const std::string& name,
                                  const std::vector<int64_t>& label_counts) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  std::vector<float> out(static_cast<size_t>(count), 0.0f);
  const uint64_t stream = name_hash(name);
  if (init == "zeros" || init == "derived") return out;
  if (init == "ones") {
    std::fill(out.begin(), out.end(), 1.0f);
  } else if (init == "glorot_uniform") {
    const double limit = std::sqrt(6.0 / static_cast<double>(std::max<int64_t>(fan_in + fan_out, 1)));
    for (int64_t i = 0; i < count; ++i)
      out[static_cast<size_t>(i)] = static_cast<float>((2.0 * uniform01(seed, stream, static_cast<uint64_t>(i)) - 1.0) * limit);
  } else if (init == "orthogonal") {
    // Square blocks of the smaller dimension along the larger one: [4H, H] gets four H x H blocks.
    const int64_t rows = shape.size() >= 2 ? count / shape.back() : 1;
    const int64_t cols = shape.empty() ? 1 : shape.back();
    const int64_t n = std::min(rows, cols);
    if (rows >= cols) {
      for (int64_t r0 = 0; r0 < rows; r0 += n) orthogonal_block(out, rows, cols, r0, n, seed, stream + 16 * static_cast<uint64_t>(r0 / n));
    } else {
      std::vector<float> t(static_cast<size_t>(count));
      for (int64_t c0 = 0; c0 < cols; c0 += n) orthogonal_block(t, cols, rows, c0, n, seed, stream + 16 * static_cast<uint64_t>(c0 / n));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) out[static_cast<size_t>(r * cols + c)] = t[static_cast<size_t>(c * rows + r)];
    }
  } else if (init == "inverse_frequency") {
    if (label_counts.empty())
      throw std::invalid_argument(fmt::format("'{}' needs the training set's label counts (ynet stats --counts)", name));
    int64_t label_occurrences = 0;
    for (int64_t c : label_counts) label_occurrences += c;
    const double classes = static_cast<double>(out.size());
    for (size_t c = 0; c < out.size(); ++c) {
      const double positives = c < label_counts.size() ? static_cast<double>(std::max<int64_t>(label_counts[c], 1)) : 1.0;
      out[c] = static_cast<float>(static_cast<double>(label_occurrences) / (classes * positives));
    }
  } else {
    throw std::invalid_argument(fmt::format("unknown initialiser '{}' for '{}'", init, name));
  }
  return out;
}

void initialize(const plan::Plan& plan, uint64_t seed, const std::vector<int64_t>& label_counts,
                const WriteBuffer& write) {
  const ir::Graph& g = plan.graph;
  for (const ir::ParamEntry& p : g.params) {
    const ir::Value& v = g.value(p.value);
    write(p.value, initial_values(p.init, v.shape, p.fan_in, p.fan_out, seed, p.name, label_counts));
  }
  for (const ir::StateEntry& s : g.state) {
    const ir::Value& v = g.value(s.value);
    write(s.value, initial_values(s.init, v.shape, 1, 1, seed, s.name, label_counts));
  }
}

}  // namespace ynet::train
