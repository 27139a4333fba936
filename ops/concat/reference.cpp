#include "ops/concat/reference.h"

namespace ynet::ops::concat::reference {

void copy_columns(const ColumnCopy& c, const double* from, double* to) {
  for (std::size_t r = 0; r < c.rows; ++r)
    for (std::size_t i = 0; i < c.width; ++i) to[r * c.to_width + c.to_offset + i] = from[r * c.from_width + c.from_offset + i];
}

}  // namespace ynet::ops::concat::reference
