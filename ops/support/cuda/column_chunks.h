#pragma once
// How a per-column reduction over [rows, cols] is split (column_reduce.cuh); chosen on the host
// when a kernel is bound, so the order of the additions is fixed for the kernel's lifetime.
#include <cstddef>
#include <cstdint>

namespace ynet::runtime::cuda {

struct ColumnChunks {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t chunks = 1;
  int64_t rows_per_chunk = 1;

  // Enough chunks to keep the GPU busy, each of at least 64 rows.
  static ColumnChunks of(int64_t rows, int64_t cols) {
    ColumnChunks c;
    c.rows = rows;
    c.cols = cols;
    const int64_t wanted = (rows + 63) / 64;
    c.chunks = wanted < 1 ? 1 : (wanted > 128 ? 128 : wanted);
    c.rows_per_chunk = (rows + c.chunks - 1) / c.chunks;
    if (c.rows_per_chunk < 1) c.rows_per_chunk = 1;
    return c;
  }
  // Doubles of partial sums for `stats` statistics per element.
  size_t partial_bytes(int stats) const { return static_cast<size_t>(stats * chunks * cols) * sizeof(double); }
};

}  // namespace ynet::runtime::cuda
