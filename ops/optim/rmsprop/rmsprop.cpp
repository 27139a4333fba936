#include "ops/optim/rmsprop/rmsprop.h"

#include <cmath>
#include <cstdint>

namespace ynet::ops::optim {

template <class T>
void rmsprop_step(const RmsPropSettings& settings, double learning_rate, std::size_t count, const T* grad, T* weights,
                  T* mean_square, T* moment) {
  const T one_minus_decay = T(1) - static_cast<T>(settings.decay);
  const auto momentum = static_cast<T>(settings.momentum);
  const auto epsilon = static_cast<T>(settings.epsilon);
  const auto lr = static_cast<T>(learning_rate);
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const T g = grad[i];
    mean_square[i] += (g * g - mean_square[i]) * one_minus_decay;
    const T update = (g * lr) / std::sqrt(mean_square[i] + epsilon);
    if (moment != nullptr) {
      moment[i] = moment[i] * momentum + update;
      weights[i] -= moment[i];
    } else {
      weights[i] -= update;
    }
  }
}

template void rmsprop_step<float>(const RmsPropSettings&, double, std::size_t, const float*, float*, float*, float*);
template void rmsprop_step<double>(const RmsPropSettings&, double, std::size_t, const double*, double*, double*,
                                   double*);

}  // namespace ynet::ops::optim
