#pragma once
// Reference column moves in double, for Concat and Slice: over `rows` rows, copy `width` values
// starting at column `from_offset` of a source row of `from_width` values to column `to_offset` of
// a destination row of `to_width`. Concat is two such copies (a to [0, Fa), b to [Fa, Fa+Fb)) and
// its gradient the two copies back; Slice is one copy, and its gradient zeroes dx and copies dy in.
#include <cstddef>

namespace ynet::ops::concat {

struct ColumnCopy {
  std::size_t rows = 0;
  std::size_t width = 0;
  std::size_t from_width = 0, from_offset = 0;
  std::size_t to_width = 0, to_offset = 0;
};

namespace reference {

void copy_columns(const ColumnCopy& copy, const double* from, double* to);

}  // namespace reference
}  // namespace ynet::ops::concat
