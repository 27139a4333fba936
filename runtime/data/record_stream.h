#pragma once
// The ordered stream of raw records one worker reads: epochs, sharding and the shuffle (a
// permutation of every record through an index of the files, or the seeded file order and a
// windowed shuffle: ShuffleMode). Everything is a function of the configuration and the seed
// alone, so that a position (epoch, records consumed in it) can be returned to exactly.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/data/data_error.h"
#include "runtime/data/dataset_config.h"

namespace ynet::data {

class RecordReader;
class RecordIndex;
class IndexedRecordReader;

struct StreamPosition {
  uint64_t epoch = 0;
  uint64_t record = 0;  // records of this worker's stream consumed in the epoch (damaged ones too)
  bool operator==(const StreamPosition&) const = default;
};

struct StreamRecord {
  std::string bytes;
  uint32_t file = 0;
  uint64_t offset = 0;
  int64_t index = 0;
  // A damaged record, or a file that could not be read, keeps its place in the order so that
  // positions count the same whether or not records are skipped.
  std::unique_ptr<DataError> error;
};

class RecordStream {
 public:
  // `on_skip` receives each damaged record that is skipped (only with skip_corrupt). With
  // ShuffleMode::kPermutation the files are indexed here (one scan of their record headers; throws
  // StopRequested when a stop is requested meanwhile).
  RecordStream(const DatasetConfig& config, std::vector<std::string> files,
               std::function<void(const DataError&)> on_skip);
  ~RecordStream();

  // The next good record, or nullptr after the last epoch. The record stays valid (and may be
  // moved from) until the next call. Throws the DataError of a damaged record unless skip_corrupt.
  StreamRecord* next();
  // Batch slicing (DatasetConfig::slicing, count > 1): the next entry of the stream, good or not,
  // or nullptr after the last epoch. Entries are numbered from the stream's start or the last
  // seek; the one numbered n lies in this process's slice when n modulo the global batch
  // (batch_size * slicing.count) falls in [index * batch_size, (index + 1) * batch_size). Only
  // those are returned read and checked, a damaged one holding its DataError (never thrown nor
  // passed to on_skip: the caller decides). Under kPermutation the others are not read at all;
  // under kWindow they are read (sequential reading cannot step over them) but must be ignored.
  StreamRecord* next_entry();
  bool in_own_slice(uint64_t entry) const;
  StreamPosition position() const { return position_; }
  void seek(StreamPosition position);
  // Bytes of records read from the files (framing included; compressed files: after
  // decompression), not counting the index scan's headers. Safe to read from any thread.
  uint64_t record_bytes_read() const { return record_bytes_read_.load(std::memory_order_relaxed); }

  ShardBy shard_by() const { return shard_by_; }
  // The shuffle in use: kWindow where kPermutation was asked for but a file is compressed.
  ShuffleMode shuffle_mode() const { return mode_; }
  const std::vector<std::string>& files() const { return all_files_; }
  // The files this worker reads each epoch (all of them under record sharding).
  const std::vector<uint32_t>& own_files() const { return own_files_; }

 private:
  void start_epoch(uint64_t epoch);
  // Reads (or, with want_data false, steps over) the next entry of this worker's sequential
  // stream into `out`; false at the end of the epoch.
  bool advance(bool want_data, StreamRecord& out);
  bool open_next_file(StreamRecord& out);
  void fill_window();
  // kPermutation: reads the next window's records of the epoch's order, in file order. With
  // slicing, only the entries from `first_slot` on that lie in this process's slice.
  void fill_permuted_window(size_t first_slot = 0);

  DatasetConfig config_;
  std::vector<std::string> all_files_;
  std::vector<uint32_t> own_files_;
  ShardBy shard_by_;
  ShuffleMode mode_ = ShuffleMode::kWindow;
  std::function<void(const DataError&)> on_skip_;

  // kPermutation: the index of this worker's files (all files under record sharding), this epoch's
  // entries of this worker in order, and the next of them to read.
  std::unique_ptr<RecordIndex> index_;
  std::unique_ptr<IndexedRecordReader> indexed_reader_;
  std::vector<uint32_t> epoch_entries_;
  size_t epoch_cursor_ = 0;
  std::vector<uint32_t> read_order_;

  // Sequential state within the epoch.
  std::vector<uint32_t> epoch_files_;
  size_t next_file_ = 0;
  std::unique_ptr<RecordReader> reader_;
  uint32_t reader_file_ = 0;
  uint64_t global_index_ = 0;  // entries of all workers so far in the epoch (record sharding)

  // The shuffle window.
  std::vector<StreamRecord> window_;
  std::vector<uint32_t> order_;
  size_t window_size_ = 0;
  size_t window_cursor_ = 0;
  uint64_t window_index_ = 0;

  StreamPosition position_;
  uint64_t entries_since_seek_ = 0;  // next_entry()'s numbering, for slicing
  std::atomic<uint64_t> record_bytes_read_{0};
  uint64_t good_in_epoch_ = 0;
  bool done_ = false;
};

}  // namespace ynet::data
