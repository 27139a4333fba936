#include "runtime/data/data_error.h"

#include <fmt/format.h>

namespace ynet::data {

const char* to_string(DataErrorKind kind) {
  switch (kind) {
    case DataErrorKind::kNoMatch: return "no match";
    case DataErrorKind::kUnreadable: return "unreadable file";
    case DataErrorKind::kEmptyFile: return "empty file";
    case DataErrorKind::kLengthCrc: return "length CRC mismatch";
    case DataErrorKind::kDataCrc: return "data CRC mismatch";
    case DataErrorKind::kTruncated: return "truncated record";
    case DataErrorKind::kBadCompression: return "corrupt compressed stream";
    case DataErrorKind::kInvalidProto: return "invalid protobuf";
    case DataErrorKind::kMissingFeature: return "missing feature";
    case DataErrorKind::kWrongType: return "wrong feature type";
    case DataErrorKind::kFrameSize: return "wrong frame size";
    case DataErrorKind::kFrameCount: return "wrong frame count";
    case DataErrorKind::kLabelRange: return "label out of range";
    case DataErrorKind::kNonFinite: return "non-finite feature value";
  }
  return "data error";
}

namespace {

std::string format_message(const std::string& file, uint64_t offset, int64_t record, const std::string& video_id,
                           const std::string& reason) {
  std::string message = file;
  if (offset != DataError::kNoOffset) message += fmt::format(": byte {}", offset);
  if (record != DataError::kNoRecord) message += fmt::format(": record {}", record);
  if (!video_id.empty()) message += fmt::format(": video '{}'", video_id);
  message += ": ";
  message += reason;
  return message;
}

}  // namespace

DataError::DataError(DataErrorKind kind, std::string file, uint64_t offset, int64_t record, std::string video_id,
                     std::string reason)
    : std::runtime_error(format_message(file, offset, record, video_id, reason)),
      kind_(kind),
      file_(std::move(file)),
      offset_(offset),
      record_(record),
      video_id_(std::move(video_id)),
      reason_(std::move(reason)) {}

}  // namespace ynet::data
