#pragma once
// Initial values of a plan's parameters and state, seeded and independent of the backend: each
// tensor's values are a pure function of (seed, tensor name), drawn with the same counter-based
// generator as dropout, so a model starts identically on every backend and in every run.
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (TensorFlow's default for kernels)
//   orthogonal      per [H, H] block: a signed permutation times 8 random Householder reflections,
//                   exactly orthogonal at O(H^2) cost (a QR of a Gaussian matrix costs O(H^3))
//   zeros, ones     constants
//   inverse_frequency  class weights N / (C * count_c) of the balanced loss (counts from `ynet stats`)
//   derived         written by the plan's prologue steps (folded BatchNorm weights): zeros here
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

// Uniform numbers in [0, 1) and standard normal numbers, a pure function of (seed, stream, index).
double uniform01(uint64_t seed, uint64_t stream, uint64_t index);
double standard_normal(uint64_t seed, uint64_t stream, uint64_t index);
uint64_t name_hash(const std::string& name);

}  // namespace ynet::train
