#pragma once
// Reads TFRecord files: per record a u64 little-endian length, the masked CRC32C of those 8
// bytes, the data, and the masked CRC32C of the data; plain or GZIP/ZLIB-compressed.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/data/compression.h"
#include "runtime/data/data_error.h"

namespace ynet::data {

// Bytes a record takes in a file beyond its data: the 12-byte header and the 4-byte data CRC.
inline constexpr size_t kRecordHeaderSize = 12;
inline constexpr size_t kRecordFooterSize = 4;
inline constexpr size_t kRecordFraming = kRecordHeaderSize + kRecordFooterSize;

// The little-endian length and CRC fields of the framing (every supported host is little-endian).
inline uint32_t load_record_u32(const char* p) {
  uint32_t value;
  std::memcpy(&value, p, 4);
  return value;
}
inline uint64_t load_record_u64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, 8);
  return value;
}

struct RecordReaderOptions {
  Compression compression = Compression::kAuto;
  // Checks the data CRC of every record. The length CRC is always checked: a wrong length cannot
  // be trusted to find the next record.
  bool verify_crc = true;
  // Reads the parts of the file the page cache does not hold with O_DIRECT, leaving the cache as
  // it was: for a single pass over data larger than the cache (runtime/data/prefetched_file.h).
  bool direct_reads = false;
  // Off for a reader of a record or two (a probe): one block is read, not the ring's eight.
  bool read_ahead = true;
  // For a reader that mostly skips (the scan of an index, runtime/data/record_index.h): small
  // blocks, so that stepping over a large record does not read it.
  bool scan = false;
};

class ByteSource;

class RecordReader {
 public:
  // Throws DataError (kUnreadable, kEmptyFile) when the file cannot be opened or is empty.
  explicit RecordReader(std::string path, RecordReaderOptions options = {});
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Reads the next record into `record` (valid until the next call); false at the end of the file.
  // Throws DataError. After kDataCrc the reader stands at the next record and can go on; after a
  // length CRC mismatch it has already stepped to the next valid record header (the error says how
  // many bytes it skipped) and goes on from there; after a truncated record or a compression
  // error the rest of the file is unreachable and the next call returns false.
  bool next(std::string_view& record);
  // The same, into `record` (resized, its capacity reused): the part of a large record beyond what
  // the reader has buffered goes straight from the file into it, so a frame-level record (~350 KB)
  // is copied once instead of twice.
  bool next_into(std::string& record);
  // Steps over the next record without reading or checking its data; false at the end.
  bool skip();

  // Byte offset (uncompressed stream), index and data length of the record last returned or
  // skipped.
  uint64_t record_offset() const { return record_offset_; }
  int64_t record_index() const { return record_index_; }
  uint64_t record_length() const { return record_length_; }
  const std::string& path() const { return path_; }
  Compression compression() const { return compression_; }

 private:
  // Reads the 12-byte header; returns false at a clean end of file. Rejects impossible lengths.
  bool read_header(uint64_t& length);
  // Throws kDataCrc when verification is on and the footer at `footer` does not match `data`.
  void check_data_crc(const char* data, uint64_t length, const char* footer) const;
  // Makes `size` bytes available at buffer_[begin_]; returns how many are (less only at the end).
  size_t fill(size_t size);
  // Up to `size` bytes from the file; a read or decompression error ends the file (fail()).
  size_t read_source(char* dst, size_t size);
  // Ends the file: `bytes_lost` are the bytes from the record's start that will not be read.
  [[noreturn]] void fail(DataErrorKind kind, const std::string& reason, uint64_t bytes_lost);
  // After a length CRC mismatch at buffer_[begin_]: moves to the next position holding a valid
  // record header, or to the end of the file (finished_). Returns the bytes stepped over.
  uint64_t resynchronise();
  // After a short read: throws the error of a compressed stream that broke (kBadCompression).
  void raise_stream_error();

  std::string path_;
  RecordReaderOptions options_;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<ByteSource> source_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t stream_offset_ = 0;  // uncompressed offset of buffer_[begin_]
  uint64_t record_offset_ = 0;
  int64_t record_index_ = -1;
  uint64_t record_length_ = 0;
  bool finished_ = false;
};

}  // namespace ynet::data
