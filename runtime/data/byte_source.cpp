#include "runtime/data/byte_source.h"

#include <zlib.h>

#include <cstring>
#include <vector>

#include "runtime/data/crc32c.h"
#include "runtime/data/data_error.h"
#include "runtime/data/prefetched_file.h"

namespace ynet::data {
namespace {

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<PrefetchedFile> file) : file_(std::move(file)) {}
  size_t read(char* dst, size_t size) override { return file_->read(dst, size); }
  size_t skip(size_t size) override { return file_->skip(size); }

 private:
  std::unique_ptr<PrefetchedFile> file_;
};

class InflateSource final : public ByteSource {
 public:
  InflateSource(std::unique_ptr<PrefetchedFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)), input_(1 << 18) {
    std::memset(&stream_, 0, sizeof(stream_));
    // 15 + 32: accept either a zlib or a gzip header.
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) fail("cannot initialise zlib");
  }
  ~InflateSource() override { inflateEnd(&stream_); }

  size_t read(char* dst, size_t size) override {
    if (!pending_.empty()) fail(pending_);
    stream_.next_out = reinterpret_cast<Bytef*>(dst);
    stream_.avail_out = static_cast<uInt>(size);
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !input_done_) {
        const size_t got = file_->read(input_.data(), input_.size());
        input_done_ = got < input_.size();
        stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
        stream_.avail_in = static_cast<uInt>(got);
      }
      if (stream_.avail_in == 0 && input_done_) {
        if (!member_ended_ && total_in_ + stream_.total_in > 0) return fail_after(size, "compressed stream ends early");
        break;
      }
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        // Concatenated gzip members (cat a.gz b.gz) form one stream.
        member_ended_ = true;
        total_in_ += stream_.total_in;
        if (inflateReset(&stream_) != Z_OK) fail("cannot reset zlib");
        continue;
      }
      if (status == Z_BUF_ERROR && stream_.avail_in == 0) continue;
      if (status != Z_OK) return fail_after(size, stream_.msg != nullptr ? stream_.msg : "inflate failed");
      member_ended_ = false;
    }
    return size - stream_.avail_out;
  }

  size_t skip(size_t size) override {
    char scratch[16384];
    size_t done = 0;
    while (done < size) {
      const size_t want = std::min(size - done, sizeof(scratch));
      const size_t got = read(scratch, want);
      done += got;
      if (got < want) break;
    }
    return done;
  }

 private:
  // The bytes inflated before a stream breaks are good: they are returned, and the error comes with
  // the next read, so that the reader gets every whole record before the damage.
  size_t fail_after(size_t size, const std::string& reason) {
    const size_t produced = size - stream_.avail_out;
    if (produced == 0) fail(reason);
    pending_ = reason;
    return produced;
  }

  [[noreturn]] void fail(const std::string& reason) {
    throw DataError(DataErrorKind::kBadCompression, path_, DataError::kNoOffset, DataError::kNoRecord, "",
                    "corrupt compressed stream: " + reason);
  }

  std::unique_ptr<PrefetchedFile> file_;
  std::string path_;
  std::vector<char> input_;
  z_stream stream_;
  bool input_done_ = false;
  bool member_ended_ = false;
  std::string pending_;  // an error to raise at the next read
  uint64_t total_in_ = 0;
};

bool looks_like_tfrecord(const unsigned char* head, size_t size) {
  if (size < 12) return false;
  uint32_t stored;
  std::memcpy(&stored, head + 8, 4);
  return crc32c_unmask(stored) == crc32c(head, 8);
}

bool looks_like_gzip(const unsigned char* head, size_t size) { return size >= 2 && head[0] == 0x1f && head[1] == 0x8b; }

bool looks_like_zlib(const unsigned char* head, size_t size) {
  return size >= 2 && (head[0] & 0x0f) == 8 && (head[0] >> 4) <= 7 && ((head[0] << 8) | head[1]) % 31 == 0;
}

}  // namespace

std::unique_ptr<ByteSource> open_byte_source(const std::string& path, Compression requested, Compression& detected,
                                             const PrefetchOptions& reading) {
  auto file = std::make_unique<PrefetchedFile>(path, reading);
  if (file->size() == 0) {
    throw DataError(DataErrorKind::kEmptyFile, path, DataError::kNoOffset, DataError::kNoRecord, "",
                    "empty file (no records)");
  }
  detected = requested;
  if (requested == Compression::kAuto) {
    unsigned char head[12];
    const size_t size = file->peek(reinterpret_cast<char*>(head), sizeof(head), 0);
    if (looks_like_tfrecord(head, size)) {
      detected = Compression::kNone;
    } else if (looks_like_gzip(head, size)) {
      detected = Compression::kGzip;
    } else if (looks_like_zlib(head, size)) {
      detected = Compression::kZlib;
    } else {
      detected = Compression::kNone;  // the reader then reports what is wrong with the first record
    }
  }
  if (detected == Compression::kNone) return std::make_unique<PlainSource>(std::move(file));
  return std::make_unique<InflateSource>(std::move(file), path);
}

}  // namespace ynet::data
