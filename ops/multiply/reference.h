#pragma once
// Reference element-wise product in double: y[i] = a[i] * b[i / run] over `elements` values of a,
// with b holding elements / run values (run = 1: same shapes). Backward:
//   da[i] = dy[i] * b[i / run],   db[j] = sum over its run of dy[i] * a[i].
#include <cstddef>

namespace ynet::ops::multiply {

struct MultiplyShape {
  std::size_t elements = 0;  // of a and y
  std::size_t run = 1;       // values of a that one value of b scales
};

namespace reference {

void forward(const MultiplyShape& shape, const double* a, const double* b, double* y);
// da or db may be null (not needed); the others are fully written.
void backward(const MultiplyShape& shape, const double* a, const double* b, const double* dy, double* da, double* db);

}  // namespace reference
}  // namespace ynet::ops::multiply
