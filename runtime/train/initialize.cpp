#include "runtime/train/initialize.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "ops/support/philox.h"
#include "runtime/train/orthogonal.h"
#include "runtime/train/portable_math.h"

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

namespace {

// Both numbers of a Box-Muller pair from one Philox block: u1 in (0, 1] from words 0-1 and u2 in
// [0, 1) from words 2-3, 53 bits each; r = sqrt(-2 log u1), (r cos 2 pi u2, r sin 2 pi u2).
void normal_pair(uint64_t seed, uint64_t stream, uint64_t pair, double& z0, double& z1) {
  const ops::dropout::philox::Block counter{{static_cast<uint32_t>(pair), static_cast<uint32_t>(pair >> 32),
                                             static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)}};
  const auto block = ops::dropout::philox::philox4x32_10(counter, static_cast<uint32_t>(seed),
                                                          static_cast<uint32_t>(seed >> 32));
  constexpr double kUnit = 1.0 / static_cast<double>(uint64_t{1} << 53);
  const uint64_t a = ((static_cast<uint64_t>(block.word[0]) << 32) | block.word[1]) >> 11;
  const uint64_t b = ((static_cast<uint64_t>(block.word[2]) << 32) | block.word[3]) >> 11;
  const double r = std::sqrt(-2.0 * portable::log(static_cast<double>(a + 1) * kUnit));
  double sine = 0, cosine = 0;
  portable::sincos_turns(static_cast<double>(b) * kUnit, sine, cosine);
  z0 = r * cosine;
  z1 = r * sine;
}

}  // namespace

double standard_normal(uint64_t seed, uint64_t stream, uint64_t index) {
  double z[2];
  normal_pair(seed, stream, index / 2, z[0], z[1]);
  return z[index % 2];
}

void standard_normals(uint64_t seed, uint64_t stream, uint64_t first, size_t count, double* out) {
  double z[2];
  for (size_t i = 0; i < count;) {
    const uint64_t index = first + i;
    normal_pair(seed, stream, index / 2, z[0], z[1]);
    for (uint64_t k = index % 2; k < 2 && i < count; ++k) out[i++] = z[k];
  }
}


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
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < count; ++i)
      out[static_cast<size_t>(i)] = static_cast<float>((2.0 * uniform01(seed, stream, static_cast<uint64_t>(i)) - 1.0) * limit);
  } else if (init == "orthogonal") {
    // Square blocks of the smaller dimension along the larger one, each its own random orthogonal
    // matrix: an LSTM's recurrent kernel [H, 4H] gets one H x H block per gate, as PyTorch users
    // initialise weight_hh gate by gate. Block b draws from stream name_hash + 16 b.
    const int64_t rows = shape.size() >= 2 ? count / shape.back() : 1;
    const int64_t cols = shape.empty() ? 1 : shape.back();
    const int64_t n = std::min(rows, cols);
    const int64_t length = std::max(rows, cols);
    for (int64_t b = 0; b * n < length; ++b) {
      const std::vector<double> q = random_orthogonal(n, seed, stream + 16 * static_cast<uint64_t>(b));
      // Rows b n .. of a tall kernel, or columns b n .. of a wide one (as the transposed block).
      for (int64_t i = 0; i < n && b * n + i < length; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const double x = q[static_cast<size_t>(i * n + j)];
          if (rows >= cols)
            out[static_cast<size_t>((b * n + i) * cols + j)] = static_cast<float>(x);
          else
            out[static_cast<size_t>(j * cols + b * n + i)] = static_cast<float>(x);
        }
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
