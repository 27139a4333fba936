#pragma once
// The elementwise nonlinearities shared by the standalone activation op and by Dense.
// Derivatives are expressed through the output y, so backward passes never need the input.

#include <cmath>
#include <stdexcept>
#include <string>

namespace ynet::ops {

enum class ActivationKind { none, relu, sigmoid, tanh };

// The kind a step's "activation" attribute names.
inline ActivationKind activation_kind(const std::string& name) {
  if (name == "none") return ActivationKind::none;
  if (name == "relu") return ActivationKind::relu;
  if (name == "sigmoid") return ActivationKind::sigmoid;
  if (name == "tanh") return ActivationKind::tanh;
  throw std::invalid_argument("unknown activation '" + name + "'");
}

namespace activation {

// Numerically stable in both tails: exp is only ever taken of a non-positive number.
inline double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

inline double apply(ActivationKind kind, double x) {
  switch (kind) {
    case ActivationKind::relu: return x > 0.0 ? x : 0.0;
    case ActivationKind::sigmoid: return sigmoid(x);
    case ActivationKind::tanh: return std::tanh(x);
    case ActivationKind::none: break;
  }
  return x;
}

// d activation / d x written in terms of y = activation(x).
inline double derivative_from_output(ActivationKind kind, double y) {
  switch (kind) {
    case ActivationKind::relu: return y > 0.0 ? 1.0 : 0.0;
    case ActivationKind::sigmoid: return y * (1.0 - y);
    case ActivationKind::tanh: return 1.0 - y * y;
    case ActivationKind::none: break;
  }
  return 1.0;
}

}  // namespace activation
}  // namespace ynet::ops
