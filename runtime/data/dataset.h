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
  bool next(Batch& batch);
  // Where the batch after the last one returned starts.
  DatasetPosition position() const { return position_; }
  // Continues from `position` (the next batch is the one that followed it when it was saved).
  void seek(DatasetPosition position);

  // Called, in order, for every damaged record skipped (skip_corrupt); default: none.
  void on_skip(std::function<void(const DataError&)> callback) { on_skip_ = std::move(callback); }
  uint64_t skipped_records() const { return skipped_; }

  const DatasetConfig& config() const { return config_; }
  const std::vector<std::string>& files() const { return files_; }
  ShardBy shard_by() const { return shard_by_; }
  // The shuffle in use (without shuffling: kWindow of one record, i.e. file order).
  ShuffleMode shuffle_mode() const { return stream_->shuffle_mode(); }

 private:
  struct Slot;
  void start();
  void stop();
  void produce();
  void decode_worker();
  void decode_slot(Slot& slot, class VideoDecoder& decoder);

  DatasetConfig config_;
  std::vector<std::string> files_;
  ShardBy shard_by_ = ShardBy::kFile;
  std::function<void(const DataError&)> on_skip_;
  uint64_t skipped_ = 0;
  DatasetPosition position_;
  DatasetPosition last_used_;                // where the last batch with a usable record ended
  std::unique_ptr<DataError> first_unused_;  // the first record skipped since then

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
