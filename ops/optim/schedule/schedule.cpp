#include "ops/optim/schedule/schedule.h"

#include <cmath>

namespace ynet::ops::optim {

double LearningRateSchedule::at(std::uint64_t samples) const {
  const double periods = static_cast<double>(samples) / every;
  switch (kind) {
    case DecayKind::step: return base * std::pow(factor, std::floor(periods));
    case DecayKind::exponential: return base * std::pow(factor, periods);
    case DecayKind::constant: break;
  }
  return base;
}

}  // namespace ynet::ops::optim
