#pragma once
// An index of the records of TFRecord files: where each record starts and how long its data is,
// built by one scan of the record headers (the data is stepped over, neither read nor checked).
// With it any record of a plain file can be read on its own (IndexedRecordReader): what a shuffle
// over every record of a data set needs (ShuffleMode::kPermutation), and what splitting a data set
// among workers by record needs.
//
// Damaged framing found by the scan (a length CRC mismatch, after which the scan resynchronises as
// RecordReader does; a file cut inside a record; an empty or unreadable file) becomes an entry of
// its own holding the DataError, so that every record and every problem has its place, and
// positions count the same whether or not damaged records are skipped. A data CRC is checked when
// the record is read.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/data/data_error.h"
#include "runtime/data/record_reader.h"

namespace ynet::data {

struct IndexedRecord {
  uint64_t offset = 0;  // byte offset of the record's header in its file
  uint64_t length = 0;  // bytes of data
  uint32_t file = 0;    // index into the file list the index was built over
  int32_t error = -1;   // >= 0: a damaged record or an unreadable file, RecordIndex::error(error)
};

class RecordIndex {
 public:
  RecordIndex() = default;
  // Scans `files` (indices into `paths`), in that order, on up to `threads` threads (one file
  // each). Polls for a stop request (stop_request.h) and throws StopRequested. Never throws
  // DataError: damage is recorded in entries.
  RecordIndex(const std::vector<std::string>& paths, const std::vector<uint32_t>& files, const RecordReaderOptions& options,
              int threads);

  size_t size() const { return entries_.size(); }
  const IndexedRecord& operator[](size_t entry) const { return entries_[entry]; }
  const DataError& error(int32_t error) const { return errors_[static_cast<size_t>(error)]; }
  // The record's index in its file (what RecordReader::record_index() says for it).
  int64_t record_in_file(size_t entry) const { return static_cast<int64_t>(entry - first_entry_[entries_[entry].file]); }
  // Some file is GZIP or ZLIB compressed: its records cannot be read at an offset.
  bool compressed() const { return compressed_; }

 private:
  std::vector<IndexedRecord> entries_;  // the files' entries, each file's contiguous and in order
  std::vector<DataError> errors_;
  std::vector<size_t> first_entry_;  // by file index; the first entry of each scanned file
  bool compressed_ = false;
};

// Reads single records of plain TFRecord files at the offsets of a RecordIndex, with pread (through
// the page cache). Keeps a few files open between reads.
class IndexedRecordReader {
 public:
  IndexedRecordReader(const std::vector<std::string>& paths, bool verify_crc) : paths_(paths), verify_crc_(verify_crc) {}
  ~IndexedRecordReader();
  IndexedRecordReader(const IndexedRecordReader&) = delete;
  IndexedRecordReader& operator=(const IndexedRecordReader&) = delete;

  // Reads entry `entry`'s data into `data` (resized). Throws the entry's DataError for a damaged
  // entry, and DataError for a data CRC mismatch (with verify_crc), a file that cannot be read or
  // that changed since it was indexed.
  void read(const RecordIndex& index, size_t entry, std::string& data);
  // Asks the kernel to start reading the entry's bytes into the page cache (POSIX_FADV_WILLNEED),
  // so that a later read() finds them there. Best effort.
  void will_need(const RecordIndex& index, size_t entry);

 private:
  int open_file(uint32_t file);
  const std::vector<std::string>& paths_;
  bool verify_crc_;
  std::vector<std::pair<uint32_t, int>> open_;  // (file, descriptor), the most recently used last
};

}  // namespace ynet::data
