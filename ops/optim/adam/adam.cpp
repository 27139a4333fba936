#include "ops/optim/adam/adam.h"

#include <cmath>

namespace ynet::ops::optim {

template <class T>
void adam_step(const AdamSettings& settings, double learning_rate, std::uint64_t step, std::size_t count,
               const T* grad, T* weights, T* first_moment, T* second_moment) {
  const double t = static_cast<double>(step);
  const auto lr_t = static_cast<T>(learning_rate * std::sqrt(1.0 - std::pow(settings.beta2, t)) /
                                   (1.0 - std::pow(settings.beta1, t)));
  const T one_minus_beta1 = T(1) - static_cast<T>(settings.beta1);
  const T one_minus_beta2 = T(1) - static_cast<T>(settings.beta2);
  const auto epsilon = static_cast<T>(settings.epsilon);
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const T g = grad[i];
    first_moment[i] += (g - first_moment[i]) * one_minus_beta1;
    second_moment[i] += (g * g - second_moment[i]) * one_minus_beta2;
    weights[i] -= (first_moment[i] * lr_t) / (std::sqrt(second_moment[i]) + epsilon);
  }
}

template void adam_step<float>(const AdamSettings&, double, std::uint64_t, std::size_t, const float*, float*, float*,
                               float*);
template void adam_step<double>(const AdamSettings&, double, std::uint64_t, std::size_t, const double*, double*,
                                double*, double*);

}  // namespace ynet::ops::optim
