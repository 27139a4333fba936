#pragma once
// Data-parallel training splits each global batch into equal slices, one per rank. Most steps only
// see their own rows; the few whose result depends on every row of the batch (BatchNorm's
// statistics and their gradient, the MoE's importance and load) sum partial results over the ranks
// through this interface, and the steps keyed by row (dropout masks, gating noise) key by the
// global row, so that N ranks compute what one process computes on the whole batch.
#include <cstddef>
#include <cstdint>

namespace ynet::runtime {

class BatchCollectives {
 public:
  virtual ~BatchCollectives() = default;
  // Replaces values[0, count) by their element-wise sum over every rank. Blocking; every rank calls
  // it with the same count, in the same order. The memory is the backend's host memory.
  virtual void sum(double* values, std::size_t count) = 0;
};

// This process's part of the global batch. The default (global_batch 0) is a single process.
struct BatchSlice {
  int64_t global_batch = 0;   // rows of the global batch; 0: the plan's batch is the whole batch
  int64_t first_row = 0;      // the global row of this process's first row
  BatchCollectives* collectives = nullptr;  // non-null whenever global_batch > 0

  bool distributed() const { return global_batch > 0; }
  // Rows of the global batch, given this process's `local_rows`.
  int64_t global_rows(int64_t local_rows) const { return distributed() ? global_batch : local_rows; }
  // How many ranks share the global batch in equal slices: global / local rows (1 outside data
  // parallelism).
  double ranks(int64_t local_rows) const {
    return static_cast<double>(global_rows(local_rows)) / static_cast<double>(local_rows);
  }
  // Where this process's part of a batch-major tensor with `row_elements` elements per row starts
  // in the global batch's tensor: the element index that keys its random numbers.
  int64_t first_element(int64_t row_elements) const { return first_row * row_elements; }
};

}  // namespace ynet::runtime
