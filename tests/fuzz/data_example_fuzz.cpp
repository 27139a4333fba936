// libFuzzer target: the tf.Example / tf.SequenceExample decoder on arbitrary record bytes, at
// frame and video level, with and without skipping and normalisation. Every input must decode or
// raise DecodeError, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/data/data_error.h"
#include "runtime/data/example_view.h"
#include "runtime/data/video_decoder.h"

namespace {

using namespace ynet::data;

RecordFormat frame_format(bool l2) {
  RecordFormat format;
  format.features = {{"rgb", 4}, {"audio", 2}};
  format.num_classes = 50;
  format.max_frames = 5;
  format.skip_frames = 1;
  format.normalize = l2 ? Normalize::kL2 : Normalize::kNone;
  return format;
}

RecordFormat video_format() {
  RecordFormat format;
  format.level = Level::kVideo;
  format.features = {{"mean_rgb", 4}};
  format.num_classes = 50;
  return format;
}

void decode_with(VideoDecoder& decoder, std::string_view record) {
  std::vector<float> features(static_cast<size_t>(decoder.format().time_steps() * decoder.format().feature_dim()));
  std::vector<int32_t> labels;
  std::string id;
  try {
    decoder.decode(record, features.data(), labels, id);
  } catch (const DecodeError&) {
    // Damaged records are reported, which is all that is asked.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static VideoDecoder frames(frame_format(false));
  static VideoDecoder normalized(frame_format(true));
  static VideoDecoder videos(video_format());
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  decode_with(frames, record);
  decode_with(normalized, record);
  decode_with(videos, record);
  // The generic accessors the statistics use.
  ExampleView view;
  try {
    view.parse(record);
    std::vector<std::string_view> steps;
    std::vector<int64_t> values;
    for (const MapEntryView& entry : view.feature_lists()) read_feature_list(entry.value, steps);
    for (const MapEntryView& entry : view.context()) {
      const FeatureValueView value = parse_feature(entry.value);
      if (value.kind == ValueKind::kInt64) read_int64_list(value.list, values);
    }
  } catch (const DecodeError&) {
    // As above.
  }
  return 0;
}
