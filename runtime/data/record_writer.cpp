#include "runtime/data/record_writer.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/data/crc32c.h"
#include "runtime/data/data_error.h"

namespace ynet::data {

struct RecordWriter::Deflater {
  z_stream stream{};
  std::vector<char> output = std::vector<char>(1 << 18);
};

namespace {

[[noreturn]] void throw_write_error(const std::string& path, const std::string& what) {
  throw DataError(DataErrorKind::kUnreadable, path, DataError::kNoOffset, DataError::kNoRecord, "",
                  what + ": " + std::strerror(errno));
}

void store_u32(char* p, uint32_t value) { std::memcpy(p, &value, 4); }
void store_u64(char* p, uint64_t value) { std::memcpy(p, &value, 8); }

}  // namespace

void encode_record_header(uint64_t length, const void* data, char header[12], char footer[4]) {
  store_u64(header, length);
  store_u32(header + 8, crc32c_mask(crc32c(header, 8)));
  store_u32(footer, crc32c_mask(crc32c(data, static_cast<size_t>(length))));
}

RecordWriter::RecordWriter(std::string path, Compression compression)
    : path_(std::move(path)), compression_(compression == Compression::kAuto ? Compression::kNone : compression) {
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) throw_write_error(path_, "cannot create");
  if (compression_ != Compression::kNone) {
    deflater_ = std::make_unique<Deflater>();
    const int window_bits = compression_ == Compression::kGzip ? 15 + 16 : 15;
    if (deflateInit2(&deflater_->stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      std::fclose(file_);
      file_ = nullptr;
      throw DataError(DataErrorKind::kUnreadable, path_, DataError::kNoOffset, DataError::kNoRecord, "",
                      "cannot initialise zlib");
    }
  }
}

RecordWriter::~RecordWriter() {
  try {
    close();
  } catch (const DataError&) {
    // A destructor cannot report; callers that care call close() themselves.
  }
}

void RecordWriter::deflate_pending(int flush) {
  z_stream& stream = deflater_->stream;
  int status;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(deflater_->output.data());
    stream.avail_out = static_cast<uInt>(deflater_->output.size());
    status = deflate(&stream, flush);
    const size_t produced = deflater_->output.size() - stream.avail_out;
    if (produced > 0 && std::fwrite(deflater_->output.data(), 1, produced, file_) != produced) {
      throw_write_error(path_, "write failed");
    }
  } while (stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
}

void RecordWriter::emit(const void* data, size_t size) {
  if (file_ == nullptr) {
    throw DataError(DataErrorKind::kUnreadable, path_, DataError::kNoOffset, DataError::kNoRecord, "",
                    "write after close");
  }
  if (!deflater_) {
    if (std::fwrite(data, 1, size, file_) != size) throw_write_error(path_, "write failed");
    return;
  }
  z_stream& stream = deflater_->stream;
  stream.next_in = static_cast<Bytef*>(const_cast<void*>(data));
  stream.avail_in = static_cast<uInt>(size);
  deflate_pending(Z_NO_FLUSH);
}

void RecordWriter::write(std::string_view record) {
  char header[12];
  char footer[4];
  encode_record_header(record.size(), record.data(), header, footer);
  emit(header, sizeof(header));
  emit(record.data(), record.size());
  emit(footer, sizeof(footer));
  ++records_;
}

void RecordWriter::flush() {
  if (file_ == nullptr) return;
  if (deflater_) deflate_pending(Z_SYNC_FLUSH);
  if (std::fflush(file_) != 0) throw_write_error(path_, "write failed");
}

void RecordWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* file = file_;
  bool ok = true;
  if (deflater_) {
    try {
      deflate_pending(Z_FINISH);
    } catch (const DataError&) {
      ok = false;
    }
    deflateEnd(&deflater_->stream);
    deflater_.reset();
  }
  file_ = nullptr;
  ok = std::fflush(file) == 0 && ok;
  ok = std::fclose(file) == 0 && ok;
  if (!ok) throw_write_error(path_, "write failed");
}

}  // namespace ynet::data
