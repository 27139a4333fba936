#pragma once
// RMSProp exactly as TensorFlow 1's RMSPropOptimizer (ApplyRMSProp, centered = false):
//   ms  <- ms + (g^2 - ms) (1 - decay)            (= decay ms + (1 - decay) g^2)
//   mom <- momentum mom + lr g / sqrt(ms + epsilon)
//   w   <- w - mom
// with the mean square initialised to 1 (not 0) and mom to 0. Arithmetic is carried out in T, as
// TensorFlow does for float variables.

#include <cstddef>

namespace ynet::ops::optim {

struct RmsPropSettings {
  double decay = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-10;
};

constexpr double kRmsPropInitialMeanSquare = 1.0;

// One update of `count` weights. moment may be null when momentum is 0 (it would only ever hold
// the last step's update).
template <class T>
void rmsprop_step(const RmsPropSettings& settings, double learning_rate, std::size_t count, const T* grad, T* weights,
                  T* mean_square, T* moment);

}  // namespace ynet::ops::optim
