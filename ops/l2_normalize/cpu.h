#pragma once
// Per-row L2 normalisation on floats (math in reference.h). oneDNN 2.6 has no fused primitive for
// it, so this is an OpenMP loop over rows; each row's norm is summed by one thread in a fixed order
// (in double, which costs nothing here and keeps long rows accurate).

#include <cstddef>

#include "ops/l2_normalize/reference.h"

namespace ynet::ops::l2_normalize::cpu {

class Kernel {
 public:
  Kernel(const L2NormalizeShape& shape, double epsilon);

  // x and y may alias.
  void forward(const float* x, float* y) const;
  // dy and dx may alias.
  void backward(const float* x, const float* dy, float* dx) const;

 private:
  L2NormalizeShape shape_;
  double epsilon_;
};

}  // namespace ynet::ops::l2_normalize::cpu
