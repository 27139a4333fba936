#pragma once
// Adam as TensorFlow 1's AdamOptimizer (ApplyAdam, non-Nesterov), bias correction folded into the
// step size:
//   lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)        t = 1 for the first update
//   m <- m + (g - m) (1 - beta1);  v <- v + (g^2 - v) (1 - beta2)
//   w <- w - lr_t m / (sqrt(v) + epsilon)
// m and v start at 0. lr_t is computed in double (TensorFlow keeps beta^t in T); the rest in T.

#include <cstddef>
#include <cstdint>

namespace ynet::ops::optim {

struct AdamSettings {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

template <class T>
void adam_step(const AdamSettings& settings, double learning_rate, std::uint64_t step, std::size_t count,
               const T* grad, T* weights, T* first_moment, T* second_moment);

}  // namespace ynet::ops::optim
