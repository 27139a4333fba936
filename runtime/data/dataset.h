#pragma once
// The dataset the trainer reads: sharded, shuffled, batched YouTube-8M-style records, decoded on
// worker threads with a bounded prefetch queue. The sequence of batches depends only on the
// configuration and the seed (not on the number of threads), and position()/seek() resume it exactly.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/data/batch.h"
#include "runtime/data/dataset_config.h"
#include "runtime/data/record_stream.h"
#include "runtime/data/stop_request.h"

namespace ynet::data {

using DatasetPosition = StreamPosition;
// "epoch:record", for checkpoints.
std::string to_string(const DatasetPosition& position);
bool parse_position(const std::string& text, DatasetPosition& position);

// Every record of a whole pass over the data was damaged (or unusable for the model) and skipped:
// names the first failure.
class NoUsableRecords : public std::runtime_error {
 public:
  explicit NoUsableRecords(const DataError* first);
};

// Batch slicing (DatasetConfig::slicing) could not fill this process's slice of a global batch: a
// row's record was damaged, and so was the record at the same place in each following global
// batch the rule looks at (or the data ended first). Names the first damaged record.
class SliceUnfillable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Dataset {
 public:
  // Expands the globs and checks the configuration. Throws DataError (kNoMatch) or
  // std::invalid_argument (a bad configuration value).
  explicit Dataset(DatasetConfig config);
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  // Fills `batch` with the next batch; false when the data is exhausted. Throws DataError for a
  // damaged record unless skip_corrupt, NoUsableRecords after a whole pass over the data without
  // a usable record (skip_corrupt), StopRequested when a stop is requested (SIGINT, SIGTERM:
  // runtime/data/stop_request.h) while it waits; after an error the dataset stays failed.
  // With slicing (count > 1) every batch returned is full (count == batch_size): a damaged record
  // of this process's slice is replaced by the record at the same place in the first following
  // global batch where it is good (docs/data.md); SliceUnfillable when none of the next
  // kReplacementHorizon global batches has one there, or the data ends first.
  bool next(Batch& batch);
  // Where the batch after the last one returned starts.
  DatasetPosition position() const { return position_; }
  // Continues from `position` (the next batch is the one that followed it when it was saved).
  void seek(DatasetPosition position);

  // Called, in order, for every damaged record skipped (skip_corrupt); default: none.
  void on_skip(std::function<void(const DataError&)> callback) { on_skip_ = std::move(callback); }
  uint64_t skipped_records() const { return skipped_; }
  // Bytes of records this process has read from the files, framing included (after decompression;
  // not counting the index's scan of record headers): with slicing under kPermutation, about
  // 1/count of what one process reading whole global batches reads.
  uint64_t record_bytes_read() const { return stream_->record_bytes_read(); }

  // With slicing: how many global batches after a damaged row's own are searched for its
  // replacement before giving up (SliceUnfillable).
  static constexpr size_t kReplacementHorizon = 8;

  const DatasetConfig& config() const { return config_; }
  const std::vector<std::string>& files() const { return files_; }
  ShardBy shard_by() const { return shard_by_; }
  // The shuffle in use (without shuffling: kWindow of one record, i.e. file order).
  ShuffleMode shuffle_mode() const { return stream_->shuffle_mode(); }

 private:
  struct Slot;
  struct HeldBatch;
  void start();
  void stop();
  void produce();
  void decode_worker();
  void decode_slot(Slot& slot, class VideoDecoder& decoder);
  // Waits for the next slot in sequence order to be decoded (polling for a stop request); passes
  // its skipped records on; release_slot hands it back to the reading thread.
  Slot& take_ready_slot();
  void release_slot(Slot& slot);

  // Batch slicing (dataset_slicing.cpp).
  bool slicing() const { return config_.slicing.count > 1; }
  void fill_slice(Slot& slot);
  void decode_slice(Slot& slot, class VideoDecoder& decoder);
  bool next_slice(Batch& batch);
  // Whether every damaged row of the first held batch has a good record at its place in a later
  // held batch; `missing_row` receives the first row that has none.
  bool replacements_held(size_t& missing_row) const;
  void replace_damaged_rows(HeldBatch& held);

  DatasetConfig config_;
  std::vector<std::string> files_;
  ShardBy shard_by_ = ShardBy::kFile;
  std::function<void(const DataError&)> on_skip_;
  uint64_t skipped_ = 0;
  DatasetPosition position_;
  DatasetPosition last_used_;                // where the last batch with a usable record ended
  std::unique_ptr<DataError> first_unused_;  // the first record skipped since then

  // Slicing: decoded batches with damaged rows, and those read after them to find the
  // replacements, in order; spare ones keep their buffers for reuse.
  std::vector<std::unique_ptr<HeldBatch>> held_;
  std::vector<std::unique_ptr<HeldBatch>> spare_held_;
  bool input_ended_ = false;

  std::unique_ptr<RecordStream> stream_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> threads_;
  bool running_ = false;
  bool reading_waits_for_disk_ = false;  // the reading thread keeps normal priority (start())
  bool stopping_ = false;
  bool finished_ = false;
  std::exception_ptr failure_;
  uint64_t produce_seq_ = 0;
  uint64_t decode_seq_ = 0;
  uint64_t consume_seq_ = 0;
};

}  // namespace ynet::data
