#pragma once
// The Dataset's pipeline stages, shared by dataset.cpp and dataset_slicing.cpp; not for use
// outside the Dataset.
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "runtime/data/dataset.h"

namespace ynet::data {

// One batch on its way through the pipeline: the reading thread fills the raw records, a decoding
// thread turns them into `batch`, and the consumer swaps `batch` out. Slots are used round-robin
// in sequence order, which is what keeps the order independent of the number of threads.
struct Dataset::Slot {
  enum class State { kFree, kRaw, kDecoding, kReady };
  State state = State::kFree;
  std::vector<StreamRecord> records;
  size_t raw_count = 0;
  Batch batch;
  std::vector<DataError> skipped;  // damaged records skipped in this batch, in stream order
  std::exception_ptr error;
  DatasetPosition end;
  bool last = false;
  // Slicing: whether the stream held the whole global batch this slice belongs to, and which of
  // the slice's rows (by row) were damaged; those rows are left empty by the decoding thread.
  bool whole_global_batch = false;
  std::vector<uint8_t> damaged_rows;
};

// Slicing: a decoded slice kept by the consumer until its damaged rows can be replaced.
struct Dataset::HeldBatch {
  Batch batch;
  std::vector<uint8_t> damaged_rows;
  std::string first_damage;  // what() of the slice's first damaged record
  DatasetPosition end;
};

// Shapes `batch` for the configuration and empties it, ready for a decoding thread's rows.
void start_decoding(Batch& batch, const DatasetConfig& config);
// A short batch (the end of the data, skipped records): the rows it leaves hold an earlier
// batch's frames, and the model reads every row, so they are zeroed.
void zero_rows_after_count(Batch& batch, bool stored_bytes);

}  // namespace ynet::data
