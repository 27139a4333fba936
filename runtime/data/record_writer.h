#pragma once
// Writes TFRecord files that TensorFlow's TFRecordDataset reads (plain, GZIP or ZLIB).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/data/compression.h"

namespace ynet::data {

class RecordWriter {
 public:
  // Throws DataError (kUnreadable) when the file cannot be created; kAuto means kNone.
  explicit RecordWriter(std::string path, Compression compression = Compression::kNone);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  void write(std::string_view record);
  // Hands every record written so far to the operating system (a compressed stream is flushed to a
  // byte boundary), so that a process killed later leaves them whole in the file.
  void flush();
  // Flushes and closes; throws DataError when the data could not all be written.
  void close();

  uint64_t records_written() const { return records_; }

 private:
  void emit(const void* data, size_t size);
  void deflate_pending(int flush);

  std::string path_;
  Compression compression_;
  std::FILE* file_ = nullptr;
  struct Deflater;
  std::unique_ptr<Deflater> deflater_;
  uint64_t records_ = 0;
};

// The 16 bytes of framing around a record, for writers that assemble records themselves.
void encode_record_header(uint64_t length, const void* data, char header[12], char footer[4]);

}  // namespace ynet::data
