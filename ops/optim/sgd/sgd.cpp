#include "ops/optim/sgd/sgd.h"

#include <cstdint>

namespace ynet::ops::optim {

template <class T>
void sgd_step(const SgdSettings& settings, double learning_rate, std::size_t count, const T* grad, T* weights,
              T* accumulation) {
  const auto lr = static_cast<T>(learning_rate);
  const auto momentum = static_cast<T>(settings.momentum);
  const bool nesterov = settings.nesterov;
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const T g = grad[i];
    if (accumulation == nullptr) {
      weights[i] -= g * lr;
      continue;
    }
    accumulation[i] = accumulation[i] * momentum + g;
    weights[i] -= nesterov ? g * lr + accumulation[i] * momentum * lr : accumulation[i] * lr;
  }
}

template void sgd_step<float>(const SgdSettings&, double, std::size_t, const float*, float*, float*);
template void sgd_step<double>(const SgdSettings&, double, std::size_t, const double*, double*, double*);

}  // namespace ynet::ops::optim
