// Files written by TensorFlow (AudioSet, YouTube-8M): counts, keys, frame counts, value ranges,
// and the fast decoder against protobuf's parser on every record.
#include <doctest/doctest.h>

#include <filesystem>

#include "runtime/data/proto/example.pb.h"
#include "runtime/data/record_reader.h"
#include "runtime/data/video_decoder.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
namespace tfexample = ynet::tfexample;
using ynet::data::testing::source_path;

namespace {

constexpr float kLowest = -1.9921875f;
constexpr float kHighest = 2.0078125f;

RecordFormat audioset_format() {
  RecordFormat format;
  format.features = {{"audio_embedding", 128}};
  format.id_key = "video_id";
  format.num_classes = 527;
  format.max_frames = 10;
  return format;
}

RecordFormat yt8m_video_format() {
  RecordFormat format;
  format.level = Level::kVideo;
  format.features = {{"mean_rgb", 1024}, {"mean_audio", 128}};
  format.num_classes = 3862;
  return format;
}

std::vector<std::string> read_records(const std::string& path) {
  RecordReader reader(path);
  std::vector<std::string> records;
  std::string_view record;
  while (reader.next(record)) records.emplace_back(record);
  return records;
}

std::vector<int32_t> reference_labels(const tfexample::Features& context) {
  std::vector<int32_t> labels;
  for (const int64_t label : context.feature().at("labels").int64_list().value()) labels.push_back(static_cast<int32_t>(label));
  return labels;
}

// Decodes every record of `path` both ways; returns the frame counts.
std::vector<int> check_frame_level_file(const std::string& path) {
  const RecordFormat format = audioset_format();
  VideoDecoder decoder(format);
  std::vector<float> features(static_cast<size_t>(format.time_steps() * format.feature_dim()));
  std::vector<int> lengths;
  const float scale = dequantize_scale(-2, 2);
  const float bias = dequantize_bias(-2, 2);
  for (const std::string& record : read_records(path)) {
    std::vector<int32_t> labels;
    std::string id;
    const int length = decoder.decode(record, features.data(), labels, id);
    lengths.push_back(length);
    tfexample::SequenceExample reference;
    REQUIRE(reference.ParseFromString(record));
    CHECK(id == reference.context().feature().at("video_id").bytes_list().value(0));
    CHECK(labels == reference_labels(reference.context()));
    const auto& frames = reference.feature_lists().feature_list().at("audio_embedding").feature();
    REQUIRE(length == frames.size());
    bool equal = true;
    for (int t = 0; t < length; ++t) {
      const std::string& bytes = frames[t].bytes_list().value(0);
      for (int i = 0; i < 128; ++i) {
        const float expected = static_cast<float>(static_cast<uint8_t>(bytes[static_cast<size_t>(i)])) * scale + bias;
        equal = equal && features[static_cast<size_t>(t * 128 + i)] == expected;
      }
    }
    CHECK(equal);
    for (size_t k = static_cast<size_t>(length) * 128; k < features.size(); ++k) REQUIRE(features[k] == 0.0f);
  }
  return lengths;
}

}  // namespace

TEST_CASE("AudioSet bal_train_Av: 8 frame-level records, frame counts 10,10,10,10,9,1,10,10") {
  const std::string path = source_path("tests/data/files/bal_train_Av.tfrecord");
  CHECK(check_frame_level_file(path) == std::vector<int>{10, 10, 10, 10, 9, 1, 10, 10});

  const RecordFormat format = audioset_format();
  VideoDecoder decoder(format);
  std::vector<float> features(10 * 128);
  float low = 10;
  float high = -10;
  for (const std::string& record : read_records(path)) {
    std::vector<int32_t> labels;
    std::string id;
    const int length = decoder.decode(record, features.data(), labels, id);
    CHECK(id.size() == 11);  // YouTube ids
    CHECK_FALSE(labels.empty());
    for (int k = 0; k < length * 128; ++k) {
      low = std::min(low, features[static_cast<size_t>(k)]);
      high = std::max(high, features[static_cast<size_t>(k)]);
    }
  }
  CHECK(low >= kLowest);
  CHECK(high <= kHighest);
  CHECK(high > 1.0f);
  CHECK(low < -1.0f);
}

TEST_CASE("YouTube-8M v2 video-level shard: 284 records, 4-character ids, floats in the dequantised range") {
  const std::string path = source_path("tests/data/files/validate0000.tfrecord");
  const std::vector<std::string> records = read_records(path);
  REQUIRE(records.size() == 284);
  const RecordFormat format = yt8m_video_format();
  VideoDecoder decoder(format);
  std::vector<float> features(1152);
  float low = 10;
  float high = -10;
  size_t labels_total = 0;
  for (const std::string& record : records) {
    std::vector<int32_t> labels;
    std::string id;
    REQUIRE(decoder.decode(record, features.data(), labels, id) == 1);
    CHECK(id.size() == 4);
    labels_total += labels.size();
    tfexample::SequenceExample reference;
    REQUIRE(reference.ParseFromString(record));
    CHECK(reference.feature_lists().feature_list().empty());
    CHECK(labels == reference_labels(reference.context()));
    const auto& rgb = reference.context().feature().at("mean_rgb").float_list().value();
    const auto& audio = reference.context().feature().at("mean_audio").float_list().value();
    REQUIRE(rgb.size() == 1024);
    REQUIRE(audio.size() == 128);
    CHECK(std::equal(rgb.begin(), rgb.end(), features.begin()));
    CHECK(std::equal(audio.begin(), audio.end(), features.begin() + 1024));
    for (const float x : features) {
      low = std::min(low, x);
      high = std::max(high, x);
    }
  }
  CHECK(low >= kLowest);
  CHECK(high <= kHighest);
  CHECK(labels_total > records.size());  // several labels per video
}

TEST_CASE("the whole AudioSet balanced-train split (../shared/data, when present)") {
  const std::string directory = source_path("../shared/data/audioset_v1");
  if (!std::filesystem::exists(directory + "/bal_train-00000-of-00004.tfrecord")) {
    MESSAGE("SKIPPED: ../shared/data/audioset_v1 is not present; the full-split check did not run");
    return;
  }
  size_t videos = 0;
  size_t ten_frames = 0;
  for (int shard = 0; shard < 4; ++shard) {
    const std::vector<int> lengths =
        check_frame_level_file(directory + "/bal_train-0000" + std::to_string(shard) + "-of-00004.tfrecord");
    videos += lengths.size();
    for (const int length : lengths) {
      CHECK((length >= 1 && length <= 10));
      ten_frames += length == 10 ? 1 : 0;
    }
  }
  CHECK(videos == 22160);
  CHECK(static_cast<double>(ten_frames) / static_cast<double>(videos) > 0.95);
}
