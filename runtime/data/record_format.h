#pragma once
// How one YouTube-8M-style record is turned into model input: which keys and features to read,
// how many frames to keep, and how to dequantize and normalise them.
#include <string>
#include <vector>

namespace ynet::data {

enum class Level { kFrame, kVideo };
enum class Normalize { kNone, kL2 };
// What a frame becomes in a batch: floats, dequantized and normalised as the model reads them, or
// the stored bytes as they are, for an inference plan that dequantizes inside its first step
// (FramePooling over u8 frames, compiler/passes/quantize.h): a quarter of the memory traffic.
enum class FrameValues { kDequantized, kStoredBytes };

struct FeatureSpec {
  std::string name;  // feature list (frame level) or context feature (video level)
  int size = 0;      // values per frame
};

struct RecordFormat {
  Level level = Level::kFrame;
  // Concatenated per frame in this order (the first feature list gives the frame count).
  std::vector<FeatureSpec> features = {{"rgb", 1024}, {"audio", 128}};
  std::string id_key = "id";           // 2017 files and AudioSet use "video_id"
  std::string labels_key = "labels";   // a missing labels feature means a video without labels
  int num_classes = 3862;              // 2017: 4716, AudioSet: 527
  int max_frames = 300;                // frames kept after skipping; ignored at video level (T = 1)
  // Frames dropped at the start. A video with no more than skip_frames frames is kept whole, so no
  // video becomes empty.
  int skip_frames = 0;
  Normalize normalize = Normalize::kNone;  // kL2: divide each frame's concatenated features by its L2 norm
  // The starter code's quantisation range for uint8 (bytes) features.
  float quant_min = -2.0f;
  float quant_max = 2.0f;
  // kStoredBytes needs frame-level records whose frames are bytes, and no normalisation.
  FrameValues frame_values = FrameValues::kDequantized;

  int feature_dim() const;
  int time_steps() const { return level == Level::kVideo ? 1 : max_frames; }
  // Empty when valid, otherwise what is wrong (for usage errors).
  std::string validate() const;
};

const char* to_string(Level level);
const char* to_string(Normalize normalize);
// "rgb:1024,audio:128" -> features; empty vector and `error` set when malformed.
std::vector<FeatureSpec> parse_feature_specs(const std::string& text, std::string& error);

}  // namespace ynet::data
