#include "runtime/data/record_reader.h"

#include <fmt/format.h>

#include <cstring>

#include "runtime/data/byte_source.h"
#include "runtime/data/crc32c.h"
#include "runtime/data/data_error.h"
#include "runtime/data/prefetched_file.h"

namespace ynet::data {
namespace {

constexpr size_t kHeaderSize = kRecordHeaderSize;
constexpr size_t kFooterSize = kRecordFooterSize;
// Small enough that most of a frame-level record is read straight into its destination by
// next_into, large enough to hold many video-level records.
constexpr size_t kReadChunk = size_t{1} << 16;

}  // namespace

RecordReader::RecordReader(std::string path, RecordReaderOptions options)
    : path_(std::move(path)), options_(options), buffer_(kReadChunk) {
  PrefetchOptions reading;
  reading.direct_reads = options_.direct_reads;
  if (!options_.read_ahead) reading.blocks = 1;
  if (options_.scan) {
    reading.block_size = kReadChunk;
    reading.blocks = 4;
  }
  source_ = open_byte_source(path_, options_.compression, compression_, reading);
}

RecordReader::~RecordReader() = default;

void RecordReader::fail(DataErrorKind kind, const std::string& reason, uint64_t bytes_lost) {
  finished_ = true;
  throw DataError(kind, path_, record_offset_, record_index_, "", reason).with_bytes_lost(bytes_lost);
}

void RecordReader::raise_stream_error() {
  // A compressed stream that broke has returned what it inflated; its error (at the record being
  // read) comes with the next read. A plain file ends where it ends.
  if (compression_ != Compression::kNone) read_source(nullptr, 0);
}

uint64_t RecordReader::resynchronise() {
  // Step over the bad header one byte at a time until 8 bytes and the masked CRC after them agree:
  // a false match has a chance of 2^-32 per position, and the record it announces is checked as
  // any other.
  uint64_t stepped = 0;
  for (;;) {
    ++begin_;
    ++stream_offset_;
    ++stepped;
    const size_t available = fill(kHeaderSize);
    if (available < kHeaderSize) {
      begin_ += available;
      stream_offset_ += available;
      finished_ = true;
      return stepped + available;
    }
    const char* header = buffer_.data() + begin_;
    if (crc32c_unmask(load_record_u32(header + 8)) == crc32c(header, 8) &&
        load_record_u64(header) <= SIZE_MAX - kHeaderSize - kFooterSize)
      return stepped;
  }
}

size_t RecordReader::read_source(char* dst, size_t size) {
  try {
    return source_->read(dst, size);
  } catch (const DataError& error) {
    fail(error.kind(), error.reason(), 0);
  }
}

size_t RecordReader::fill(size_t size) {
  if (end_ - begin_ >= size) return size;
  if (begin_ + size > buffer_.size()) {
    // Move the unread tail to the front; grow only as far as bytes actually arrive, so a corrupt
    // length cannot make us allocate more than the file holds.
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ - begin_ < size) {
    if (end_ == buffer_.size()) buffer_.resize(std::max(buffer_.size() * 2, kReadChunk));
    const size_t want = std::min(buffer_.size() - end_, std::max(size - (end_ - begin_), kReadChunk));
    const size_t got = read_source(buffer_.data() + end_, want);
    end_ += got;
    if (got < want) break;
  }
  if (end_ - begin_ < size) raise_stream_error();
  return std::min(size, end_ - begin_);
}

bool RecordReader::read_header(uint64_t& length) {
  if (finished_) return false;
  record_offset_ = stream_offset_;
  const size_t available = fill(kHeaderSize);
  if (available == 0) {
    finished_ = true;
    if (record_index_ < 0) {
      throw DataError(DataErrorKind::kEmptyFile, path_, DataError::kNoOffset, DataError::kNoRecord, "",
                      "empty file (no records)");
    }
    return false;
  }
  ++record_index_;
  if (available < kHeaderSize) {
    fail(DataErrorKind::kTruncated,
         fmt::format("truncated record: file ends {} bytes into the 12-byte header", available), available);
  }
  const char* header = buffer_.data() + begin_;
  length = load_record_u64(header);
  const uint32_t stored = crc32c_unmask(load_record_u32(header + 8));
  const uint32_t computed = crc32c(header, 8);
  if (stored != computed) {
    // The length cannot be trusted, so the next record is found by its header instead.
    const std::string reason = fmt::format("length CRC mismatch (stored 0x{:08x}, computed 0x{:08x})", stored, computed);
    const uint64_t stepped = resynchronise();
    throw DataError(DataErrorKind::kLengthCrc, path_, record_offset_, record_index_, "",
                    finished_ ? fmt::format("{}; no valid record header follows: the last {} bytes of the file are "
                                            "unreadable", reason, stepped)
                              : fmt::format("{}; skipped {} bytes to the next valid record header, at byte {}", reason,
                                            stepped, stream_offset_))
        .with_bytes_lost(stepped);
  }
  if (length > SIZE_MAX - kHeaderSize - kFooterSize) {
    fail(DataErrorKind::kTruncated, fmt::format("record length {} is impossible", length), end_ - begin_);
  }
  record_length_ = length;
  return true;
}

void RecordReader::check_data_crc(const char* data, uint64_t length, const char* footer) const {
  if (!options_.verify_crc) return;
  const uint32_t stored = crc32c_unmask(load_record_u32(footer));
  const uint32_t computed = crc32c(data, static_cast<size_t>(length));
  if (stored != computed) {
    throw DataError(DataErrorKind::kDataCrc, path_, record_offset_, record_index_, "",
                    fmt::format("data CRC mismatch (stored 0x{:08x}, computed 0x{:08x})", stored, computed))
        .with_bytes_lost(kHeaderSize + length + kFooterSize);
  }
}

bool RecordReader::next(std::string_view& record) {
  uint64_t length;
  if (!read_header(length)) return false;
  const size_t total = kHeaderSize + static_cast<size_t>(length) + kFooterSize;
  const size_t available = fill(total);
  if (available < total) {
    const size_t data = available - kHeaderSize;
    fail(DataErrorKind::kTruncated,
         data >= length ? fmt::format("truncated record: the file ends {} bytes into the 4-byte data CRC after the "
                                      "{} bytes of data", data - length, length)
                        : fmt::format("truncated record: {} bytes announced, file ends after {}", length, data),
         available);
  }
  const char* data = buffer_.data() + begin_ + kHeaderSize;
  begin_ += total;
  stream_offset_ += total;
  check_data_crc(data, length, data + length);
  record = std::string_view(data, static_cast<size_t>(length));
  return true;
}

bool RecordReader::next_into(std::string& record) {
  uint64_t length;
  if (!read_header(length)) return false;
  begin_ += kHeaderSize;
  // The string only grows past its old size (which std::string fills with zeros first) and is cut
  // to the record's length at the end: records of one dataset have similar sizes, so the bytes
  // are written once, by the copy or the read.
  const auto reserve = [&](size_t size) {
    if (record.size() < size) record.resize(size);
  };
  const size_t buffered = static_cast<size_t>(std::min<uint64_t>(length, end_ - begin_));
  reserve(buffered);
  std::memcpy(record.data(), buffer_.data() + begin_, buffered);
  begin_ += buffered;
  size_t have = buffered;
  while (have < length) {
    // Grow with the bytes that actually arrive, so a corrupt length cannot make us allocate more
    // than twice what the file holds.
    const size_t step = static_cast<size_t>(std::min<uint64_t>(length - have, std::max(have, kReadChunk)));
    reserve(have + step);
    const size_t got = read_source(record.data() + have, step);
    have += got;
    if (got < step) {
      raise_stream_error();
      fail(DataErrorKind::kTruncated,
           fmt::format("truncated record: {} bytes announced, file ends after {}", length, have), kHeaderSize + have);
    }
  }
  if (const size_t footer = fill(kFooterSize); footer < kFooterSize) {
    fail(DataErrorKind::kTruncated,
         fmt::format("truncated record: the file ends {} bytes into the 4-byte data CRC after the {} bytes of data",
                     footer, length),
         kHeaderSize + length + footer);
  }
  record.resize(static_cast<size_t>(length));
  const char* footer = buffer_.data() + begin_;
  begin_ += kFooterSize;
  stream_offset_ += kHeaderSize + length + kFooterSize;
  check_data_crc(record.data(), length, footer);
  return true;
}

bool RecordReader::skip() {
  uint64_t length;
  if (!read_header(length)) return false;
  uint64_t remaining = length + kFooterSize;
  begin_ += kHeaderSize;
  stream_offset_ += kHeaderSize;
  const uint64_t buffered = std::min<uint64_t>(remaining, end_ - begin_);
  begin_ += static_cast<size_t>(buffered);
  stream_offset_ += buffered;
  remaining -= buffered;
  while (remaining > 0) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(remaining, uint64_t{1} << 30));
    size_t skipped;
    try {
      skipped = source_->skip(step);
    } catch (const DataError& error) {
      fail(error.kind(), error.reason(), 0);
    }
    stream_offset_ += skipped;
    remaining -= skipped;
    if (skipped < step) {
      raise_stream_error();
      fail(DataErrorKind::kTruncated, fmt::format("truncated record: {} bytes announced, file ends before them", length),
           stream_offset_ - record_offset_);
    }
  }
  return true;
}

}  // namespace ynet::data
