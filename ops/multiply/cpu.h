#pragma once
// Element-wise product on floats (math in reference.h): OpenMP loops; each value of db is summed
// by one thread in a fixed order, so the bits do not depend on the thread count.
#include "ops/multiply/reference.h"

namespace ynet::ops::multiply::cpu {

void forward(const MultiplyShape& shape, const float* a, const float* b, float* y);
// da or db may be null.
void backward(const MultiplyShape& shape, const float* a, const float* b, const float* dy, float* da, float* db);

}  // namespace ynet::ops::multiply::cpu
