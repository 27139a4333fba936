#pragma once
// Every problem found in data files is reported as a DataError that names the file, the byte
// offset of the record (in the uncompressed stream for GZIP/ZLIB files), the record's index in
// its file and the video id when it is known, so that one bad record in terabytes can be found.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ynet::data {

enum class DataErrorKind {
  kNoMatch,        // a glob matched no file
  kUnreadable,     // a file cannot be opened or read
  kEmptyFile,      // a file has no bytes at all
  kLengthCrc,      // the masked CRC32C of a record's length does not match (the reader resynchronises)
  kDataCrc,        // the masked CRC32C of a record's data does not match
  kTruncated,      // the file ends inside a record
  kBadCompression, // a GZIP/ZLIB stream is corrupt
  kInvalidProto,   // the record is not a valid tf.Example / tf.SequenceExample
  kMissingFeature, // a configured context feature or feature list is absent
  kWrongType,      // a feature holds another kind of list (bytes/float/int64) than expected
  kFrameSize,      // a frame (or video-level vector) has the wrong number of values
  kFrameCount,     // feature lists of one video disagree on the number of frames, or it has none
  kLabelRange,     // a label is negative or not below the number of classes
  kNonFinite,      // a float feature value is NaN or infinite
};

const char* to_string(DataErrorKind kind);

class DataError : public std::runtime_error {
 public:
  static constexpr uint64_t kNoOffset = UINT64_MAX;
  static constexpr int64_t kNoRecord = -1;

  DataError(DataErrorKind kind, std::string file, uint64_t offset, int64_t record, std::string video_id,
            std::string reason);

  DataErrorKind kind() const { return kind_; }
  const std::string& file() const { return file_; }
  uint64_t offset() const { return offset_; }
  int64_t record() const { return record_; }
  const std::string& video_id() const { return video_id_; }
  const std::string& reason() const { return reason_; }
  // The bytes of the file that skipping this problem leaves unread: the record itself, or what a
  // broken length or stream made unreachable. 0 when unknown (an unreadable file).
  uint64_t bytes_lost() const { return bytes_lost_; }
  DataError& with_bytes_lost(uint64_t bytes) {
    bytes_lost_ = bytes;
    return *this;
  }

 private:
  DataErrorKind kind_;
  std::string file_;
  uint64_t offset_;
  int64_t record_;
  std::string video_id_;
  std::string reason_;
  uint64_t bytes_lost_ = 0;
};

// A record-level problem found while decoding, before the file and offset are known; the
// dataset turns it into a DataError with the record's location.
class DecodeError : public std::runtime_error {
 public:
  DecodeError(DataErrorKind kind, std::string video_id, const std::string& reason)
      : std::runtime_error(reason), kind_(kind), video_id_(std::move(video_id)) {}
  DataErrorKind kind() const { return kind_; }
  const std::string& video_id() const { return video_id_; }

 private:
  DataErrorKind kind_;
  std::string video_id_;
};

}  // namespace ynet::data
