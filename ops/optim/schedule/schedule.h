#pragma once
// Learning-rate schedules counted in training samples seen (the starter code passes
// global_step * batch_size to tf.train.exponential_decay):
//   constant:     lr
//   step:         lr factor^floor(samples / every)     (exponential_decay with staircase=True)
//   exponential:  lr factor^(samples / every)          (staircase=False)

#include <cstdint>

namespace ynet::ops::optim {

enum class DecayKind { constant, step, exponential };

struct LearningRateSchedule {
  double base = 0.0;
  DecayKind kind = DecayKind::constant;
  double factor = 1.0;
  double every = 1.0;  // samples per decay period; must be positive for step and exponential

  double at(std::uint64_t samples) const;
};

}  // namespace ynet::ops::optim
