#pragma once
// A batch in the layout the runtimes consume. Reused between calls: once its vectors have grown to
// the batch size, filling it again allocates nothing.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ops/support/large_buffer.h"

namespace ynet::data {

struct Batch {
  int capacity = 0;     // rows (the configured batch size)
  int time_steps = 0;   // T: max_frames, or 1 for video-level data
  int feature_dim = 0;  // F: the configured features concatenated
  int count = 0;        // rows filled; fewer than capacity at the end of the data or after skipped records

  // capacity * time_steps * feature_dim values, batch-major: row b, frame t, feature f at
  // (b * time_steps + t) * feature_dim + f. Frames past lengths[b], and rows past count, are exact
  // zeros. One of the two is filled, as RecordFormat::frame_values says; the other is empty.
  std::vector<float, memory::LargeBufferAllocator<float>> features;        // dequantized
  std::vector<uint8_t, memory::LargeBufferAllocator<uint8_t>> frame_bytes;  // the stored bytes (FrameValues::kStoredBytes)
  std::vector<int32_t> lengths;        // true frame counts after skip/truncation (1 at video level)
  std::vector<int32_t> label_offsets;  // count + 1 entries: row b's labels are labels[offsets[b] .. offsets[b+1])
  std::vector<int32_t> labels;
  std::vector<std::string> video_ids;
  // The TFRecord bytes (framing included, after decompression) of the records decoded into this
  // batch: what was read to make it.
  uint64_t record_bytes = 0;

  // Sizes the buffers; a no-op when they already fit.
  void reshape(int rows, int steps, int dim, bool stored_bytes = false);
  size_t row_size() const { return static_cast<size_t>(time_steps) * feature_dim; }
  float* row(int b) { return features.data() + static_cast<size_t>(b) * row_size(); }
  const float* row(int b) const { return features.data() + static_cast<size_t>(b) * row_size(); }
  uint8_t* bytes_row(int b) { return frame_bytes.data() + static_cast<size_t>(b) * row_size(); }
  std::span<const int32_t> labels_of(int b) const {
    return {labels.data() + label_offsets[b], static_cast<size_t>(label_offsets[b + 1] - label_offsets[b])};
  }
};

}  // namespace ynet::data
