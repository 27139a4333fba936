#pragma once
// Column copies on floats (reference.h): one OpenMP loop over rows, a memcpy each.
#include "ops/concat/reference.h"

namespace ynet::ops::concat::cpu {

void copy_columns(const ColumnCopy& copy, const float* from, float* to);
void zero(float* values, std::size_t count);

}  // namespace ynet::ops::concat::cpu
