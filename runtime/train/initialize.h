#pragma once
// Initial values of a plan's parameters and state, seeded and independent of the backend: each
// tensor's values are a pure function of (seed, tensor name), drawn with the same counter-based
// generator as dropout, so a model starts identically on every backend and in every run.
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (TensorFlow's default for kernels)
//   orthogonal      per [H, H] block (an LSTM's gate): a Haar-random orthogonal matrix, the Q of the QR
//                   decomposition of a Gaussian matrix with R's diagonal made positive, as TensorFlow
//                   and PyTorch draw it (orthogonal.h)
//   zeros, ones     constants
//   inverse_frequency  class weights N / (C * count_c) of the balanced loss (counts from `ynet stats`)
//   derived         written by the plan's prologue steps (folded BatchNorm weights): zeros here
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::train {

// Values of one tensor, by initialiser name. Throws std::invalid_argument for an unknown name, and
// for inverse_frequency without label counts.
std::vector<float> initial_values(const std::string& init, const std::vector<int64_t>& shape, int64_t fan_in,
                                  int64_t fan_out, uint64_t seed, const std::string& name,
                                  const std::vector<int64_t>& label_counts);

using WriteBuffer = std::function<void(int value, std::span<const float> data)>;

// Initialises every parameter and state buffer of the plan.
void initialize(const plan::Plan& plan, uint64_t seed, const std::vector<int64_t>& label_counts,
                const WriteBuffer& write);

// Uniform numbers in [0, 1) and standard normal numbers, a pure function of (seed, stream, index),
// the same bits on every platform: the normal numbers 2k and 2k+1 are a Box-Muller pair from one
// Philox block, computed with portable_math.h. standard_normals writes numbers first .. first+count-1.
double uniform01(uint64_t seed, uint64_t stream, uint64_t index);
double standard_normal(uint64_t seed, uint64_t stream, uint64_t index);
void standard_normals(uint64_t seed, uint64_t stream, uint64_t first, size_t count, double* out);
uint64_t name_hash(const std::string& name);

}  // namespace ynet::train
