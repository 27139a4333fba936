#pragma once
// How a data set stores its frames, judged from its first record: what lets an inference run keep
// the stored bytes (FrameValues::kStoredBytes) instead of dequantizing every frame up front.
#include "runtime/data/dataset_config.h"

namespace ynet::data {

enum class FrameEncoding {
  kBytes,    // every configured feature's first frame is one bytes value (YouTube-8M, AudioSet)
  kFloats,   // some feature holds its frames as floats
  kUnknown,  // video-level data, no record, or a first record that does not decode
};

// Reads the first record of the first file the globs match. Never throws for bad data: the data
// set itself reports that, with the file and offset, when it reaches it.
FrameEncoding probe_frame_encoding(const DatasetConfig& config);

}  // namespace ynet::data
