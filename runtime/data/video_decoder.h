#pragma once
// Decodes one YouTube-8M-style record into a row of a batch: dequantized, skipped, truncated,
// zero-padded frames, the true length, the labels and the video id. One decoder per thread: it
// keeps scratch vectors so that, once warmed up, decoding allocates nothing.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/data/example_view.h"
#include "runtime/data/record_format.h"

namespace ynet::data {

class VideoDecoder {
 public:
  // `format` must be valid (RecordFormat::validate() empty).
  explicit VideoDecoder(RecordFormat format);

  // Writes format().time_steps() * format().feature_dim() floats to `features` (frames beyond the
  // video's length are exact zeros), appends the labels to `labels`, sets `id` and returns the
  // number of frames kept (1 at video level). Throws DecodeError; on error `labels` is unchanged.
  int decode(std::string_view record, float* features, std::vector<int32_t>& labels, std::string& id);
  // The same for FrameValues::kStoredBytes: each kept frame's stored bytes, undequantized, padded
  // with zero bytes. A frame held as floats has no bytes to keep: DecodeError kWrongType.
  int decode(std::string_view record, uint8_t* frames, std::vector<int32_t>& labels, std::string& id);

  const RecordFormat& format() const { return format_; }

 private:
  void read_id(std::string& id);
  void read_labels(const std::string& id, std::vector<int32_t>& labels);
  template <class Value>
  int decode_record(std::string_view record, Value* out, std::vector<int32_t>& labels, std::string& id);
  template <class Value>
  int decode_frames(const std::string& id, Value* out);
  void decode_video_level(const std::string& id, float* features);
  // Writes one value vector (a frame, or a video-level feature) of format_.features[index] at `out`:
  // dequantized floats, or the stored bytes.
  template <class Value>
  void decode_values(std::string_view feature, const std::string& id, size_t index, int frame, Value* out);

  RecordFormat format_;
  int feature_dim_;
  float scale_;
  float bias_;
  // Per feature: the bytes that precede the values in the canonical encoding of a Feature holding
  // one bytes value of the feature's size, as TensorFlow writes every frame (see decode_values).
  std::vector<std::string> canonical_prefix_;
  ExampleView view_;
  std::vector<std::vector<std::string_view>> steps_;
  std::vector<int64_t> label_values_;
  std::vector<std::string_view> byte_values_;
};

// The starter code's dequantisation: x = q * (max - min) / 255 + (max - min) / 512 + min.
void dequantize(const uint8_t* quantized, float* out, int size, float scale, float bias);
float dequantize_scale(float quant_min, float quant_max);
float dequantize_bias(float quant_min, float quant_max);

}  // namespace ynet::data
