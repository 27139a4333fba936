#pragma once
// Stochastic gradient descent as TensorFlow 1's GradientDescentOptimizer (momentum 0) and
// MomentumOptimizer (ApplyMomentum):
//   accumulation <- momentum accumulation + g
//   w <- w - lr accumulation                          (classic)
//   w <- w - lr g - lr momentum accumulation          (Nesterov)
// The accumulation starts at 0.

#include <cstddef>

namespace ynet::ops::optim {

struct SgdSettings {
  double momentum = 0.0;
  bool nesterov = false;
};

// accumulation may be null when momentum is 0.
template <class T>
void sgd_step(const SgdSettings& settings, double learning_rate, std::size_t count, const T* grad, T* weights,
              T* accumulation);

}  // namespace ynet::ops::optim
