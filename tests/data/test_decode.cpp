// The wire scanner against protobuf's own parser, and VideoDecoder: dequantisation, skipping,
// truncation, padding, normalisation, video-level records and every decoding error.
#include <doctest/doctest.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cmath>

#include "runtime/data/data_error.h"
#include "runtime/data/example_view.h"
#include "runtime/data/video_decoder.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
namespace tfexample = ynet::tfexample;
using ynet::data::testing::frame_byte;
using ynet::data::testing::make_record;
using ynet::data::testing::make_sequence_example;
using ynet::data::testing::VideoSpec;

namespace {

RecordFormat small_format() {
  RecordFormat format;
  format.features = {{"rgb", 8}, {"audio", 4}};
  format.num_classes = 10;
  format.max_frames = 6;
  return format;
}

struct Decoded {
  std::vector<float> features;
  std::vector<int32_t> labels;
  std::string id;
  int length = 0;
};

Decoded decode(const RecordFormat& format, const std::string& record) {
  VideoDecoder decoder(format);
  Decoded out;
  out.features.assign(static_cast<size_t>(format.time_steps() * format.feature_dim()), -99.0f);
  out.length = decoder.decode(record, out.features.data(), out.labels, out.id);
  return out;
}

DecodeError decode_error(const RecordFormat& format, const std::string& record) {
  try {
    decode(format, record);
  } catch (const DecodeError& error) {
    return error;
  }
  FAIL("no error");
  return DecodeError(DataErrorKind::kNoMatch, "", "");
}

float dequantized(int q) { return static_cast<float>(q) * (4.0f / 255.0f) + (4.0f / 512.0f - 2.0f); }

// Appends an unknown field (number 15, length-delimited) to a serialized message.
std::string with_unknown_field(std::string bytes) {
  bytes += static_cast<char>((15 << 3) | 2);
  bytes += static_cast<char>(3);
  bytes += "xyz";
  return bytes;
}

}  // namespace

TEST_CASE("dequantisation matches the starter code") {
  CHECK(dequantize_scale(-2, 2) == doctest::Approx(4.0 / 255));
  CHECK(dequantize_bias(-2, 2) == -1.9921875f);
  const uint8_t q[3] = {0, 128, 255};
  float x[3];
  dequantize(q, x, 3, dequantize_scale(-2, 2), dequantize_bias(-2, 2));
  CHECK(x[0] == -1.9921875f);
  CHECK(x[2] == doctest::Approx(2.0078125).epsilon(1e-7));
  CHECK(x[1] == dequantized(128));
}

TEST_CASE("ExampleView reads what protobuf reads, in any map order, skipping unknown fields") {
  VideoSpec spec;
  spec.frames = 3;
  const tfexample::SequenceExample reference = make_sequence_example(spec);
  std::string record = reference.SerializeAsString();
  ExampleView view;
  const std::string extended = with_unknown_field(record);
  view.parse(extended);
  REQUIRE(view.context().size() == 2);
  REQUIRE(view.feature_lists().size() == 2);
  for (const auto& [key, feature] : reference.context().feature()) {
    const MapEntryView* entry = view.find_context(key);
    REQUIRE(entry != nullptr);
    CHECK(entry->value == feature.SerializeAsString());
  }
  const MapEntryView* rgb = view.find_feature_list("rgb");
  REQUIRE(rgb != nullptr);
  std::vector<std::string_view> steps;
  read_feature_list(rgb->value, steps);
  REQUIRE(steps.size() == 3);
  for (int t = 0; t < 3; ++t) {
    tfexample::Feature parsed;
    REQUIRE(parsed.ParseFromArray(steps[static_cast<size_t>(t)].data(), static_cast<int>(steps[static_cast<size_t>(t)].size())));
    CHECK(parsed.bytes_list().value(0) == reference.feature_lists().feature_list().at("rgb").feature(t).bytes_list().value(0));
  }
  // Deterministic serialization sorts map keys; the reversed order must read the same.
  std::string sorted;
  {
    google::protobuf::io::StringOutputStream stream(&sorted);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    reference.SerializeToCodedStream(&coded);
  }
  Decoded a = decode(small_format(), record);
  Decoded b = decode(small_format(), sorted);
  CHECK(a.features == b.features);
  CHECK(a.labels == b.labels);
}

TEST_CASE("map entries with the value before the key, and empty fields") {
  // Hand-written: context entry {2: Feature{bytes_list{"id9"}}, 1: "id"}, then an empty labels entry.
  tfexample::Feature id_feature;
  id_feature.mutable_bytes_list()->add_value("id9");
  const std::string id_value = id_feature.SerializeAsString();
  std::string entry;
  entry += static_cast<char>((2 << 3) | 2);
  entry += static_cast<char>(id_value.size());
  entry += id_value;
  entry += static_cast<char>((1 << 3) | 2);
  entry += static_cast<char>(2);
  entry += "id";
  std::string features;
  features += static_cast<char>((1 << 3) | 2);
  features += static_cast<char>(entry.size());
  features += entry;
  std::string record;
  record += static_cast<char>((1 << 3) | 2);
  record += static_cast<char>(features.size());
  record += features;
  record += static_cast<char>((2 << 3) | 2);  // empty feature_lists
  record += static_cast<char>(0);

  tfexample::SequenceExample parsed;
  REQUIRE(parsed.ParseFromString(record));
  CHECK(parsed.context().feature().at("id").bytes_list().value(0) == "id9");

  RecordFormat format = small_format();
  format.level = Level::kVideo;
  const DecodeError missing = decode_error(format, record);
  CHECK(missing.kind() == DataErrorKind::kMissingFeature);
  CHECK(missing.video_id() == "id9");
  CHECK(std::string(missing.what()).find("missing context feature 'rgb'") != std::string::npos);
}

TEST_CASE("frame-level decoding: dequantised, concatenated, padded with exact zeros") {
  VideoSpec spec;
  spec.frames = 4;
  spec.labels = {1, 5};
  const Decoded out = decode(small_format(), make_record(spec));
  CHECK(out.id == "Ab3x");
  CHECK(out.labels == std::vector<int32_t>{1, 5});
  CHECK(out.length == 4);
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 8; ++i) CHECK(out.features[static_cast<size_t>(t * 12 + i)] == dequantized(frame_byte(t, 0, i)));
    for (int i = 0; i < 4; ++i) CHECK(out.features[static_cast<size_t>(t * 12 + 8 + i)] == dequantized(frame_byte(t, 1, i)));
  }
  for (size_t k = 4 * 12; k < out.features.size(); ++k) CHECK(out.features[k] == 0.0f);
}

TEST_CASE("frames encoded otherwise than protobuf writes them decode as the canonical ones do") {
  VideoSpec spec;
  spec.frames = 5;
  tfexample::SequenceExample example = make_sequence_example(spec);
  const Decoded canonical = decode(small_format(), example.SerializeAsString());
  // An unknown field in each frame's Feature: the decoder's check of the canonical bytes must fail
  // and the general parser take over.
  for (auto& [name, list] : *example.mutable_feature_lists()->mutable_feature_list()) {
    for (auto& feature : *list.mutable_feature()) {
      tfexample::Feature extended;
      REQUIRE(extended.ParseFromString(with_unknown_field(feature.SerializeAsString())));
      feature = extended;
    }
  }
  const std::string record = example.SerializeAsString();
  REQUIRE(record.size() > make_record(spec).size());
  const Decoded other = decode(small_format(), record);
  CHECK(other.length == canonical.length);
  CHECK(other.features == canonical.features);
}

TEST_CASE("skip_frames and max_frames") {
  VideoSpec spec;
  spec.frames = 10;
  RecordFormat format = small_format();
  format.skip_frames = 3;
  format.max_frames = 5;
  Decoded out = decode(format, make_record(spec));
  CHECK(out.length == 5);  // frames 3..7
  CHECK(out.features[0] == dequantized(frame_byte(3, 0, 0)));
  CHECK(out.features[4 * 12] == dequantized(frame_byte(7, 0, 0)));

  format.max_frames = 20;
  out = decode(format, make_record(spec));
  CHECK(out.length == 7);  // frames 3..9, then padding
  CHECK(out.features[7 * 12] == 0.0f);

  // A video no longer than skip_frames is kept whole.
  format.skip_frames = 10;
  out = decode(format, make_record(spec));
  CHECK(out.length == 10);
  CHECK(out.features[0] == dequantized(frame_byte(0, 0, 0)));
  format.skip_frames = 9;
  out = decode(format, make_record(spec));
  CHECK(out.length == 1);
  CHECK(out.features[0] == dequantized(frame_byte(9, 0, 0)));
}

TEST_CASE("L2 normalisation of each frame's concatenated features") {
  VideoSpec spec;
  spec.frames = 2;
  RecordFormat format = small_format();
  format.normalize = Normalize::kL2;
  const Decoded out = decode(format, make_record(spec));
  for (int t = 0; t < 2; ++t) {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += out.features[static_cast<size_t>(t * 12 + i)] * out.features[static_cast<size_t>(t * 12 + i)];
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
  }
  CHECK(out.features[2 * 12] == 0.0f);
}

TEST_CASE("video-level records: tf.Example and SequenceExample context, float features") {
  tfexample::Example example;
  auto& features = *example.mutable_features()->mutable_feature();
  features["id"].mutable_bytes_list()->add_value("vid1");
  features["labels"].mutable_int64_list()->add_value(3);
  for (int i = 0; i < 8; ++i) features["mean_rgb"].mutable_float_list()->add_value(0.5f * i);
  for (int i = 0; i < 4; ++i) features["mean_audio"].mutable_float_list()->add_value(-1.0f * i);
  RecordFormat format = small_format();
  format.level = Level::kVideo;
  format.features = {{"mean_rgb", 8}, {"mean_audio", 4}};
  const Decoded out = decode(format, example.SerializeAsString());
  CHECK(out.length == 1);
  CHECK(out.id == "vid1");
  CHECK(out.labels == std::vector<int32_t>{3});
  REQUIRE(out.features.size() == 12);
  CHECK(out.features[3] == 1.5f);
  CHECK(out.features[8 + 3] == -3.0f);

  tfexample::SequenceExample sequence;
  *sequence.mutable_context() = example.features();
  sequence.mutable_feature_lists();
  CHECK(decode(format, sequence.SerializeAsString()).features == out.features);
}

TEST_CASE("decoding errors name their kind and the video") {
  RecordFormat format = small_format();
  VideoSpec spec;
  spec.id = "Zz99";

  SUBCASE("not a protobuf") {
    const DecodeError error = decode_error(format, std::string("\xff\xff\xff\xff\xff", 5));
    CHECK(error.kind() == DataErrorKind::kInvalidProto);
    CHECK(decode_error(format, make_record(spec).substr(0, 40)).kind() == DataErrorKind::kInvalidProto);
  }
  SUBCASE("missing feature list") {
    spec.features = {{"rgb", 8}};
    const DecodeError error = decode_error(format, make_record(spec));
    CHECK(error.kind() == DataErrorKind::kMissingFeature);
    CHECK(error.video_id() == "Zz99");
    CHECK(std::string(error.what()) == "missing feature list 'audio'");
  }
  SUBCASE("frame of the wrong byte length") {
    spec.features = {{"rgb", 8}, {"audio", 5}};
    const DecodeError error = decode_error(format, make_record(spec));
    CHECK(error.kind() == DataErrorKind::kFrameSize);
    CHECK(std::string(error.what()) == "frame 0 of 'audio' has 5 bytes, expected 4");
  }
  SUBCASE("label out of range") {
    spec.labels = {2, 10};
    const DecodeError error = decode_error(format, make_record(spec));
    CHECK(error.kind() == DataErrorKind::kLabelRange);
    CHECK(error.video_id() == "Zz99");
    CHECK(std::string(error.what()) == "label 10 out of range [0, 10)");
    spec.labels = {-1};
    CHECK(decode_error(format, make_record(spec)).kind() == DataErrorKind::kLabelRange);
  }
  SUBCASE("missing id") {
    format.id_key = "video_id";
    CHECK(decode_error(format, make_record(spec)).kind() == DataErrorKind::kMissingFeature);
  }
  SUBCASE("feature lists of different lengths") {
    tfexample::SequenceExample example = make_sequence_example(spec);
    (*example.mutable_feature_lists()->mutable_feature_list())["audio"].mutable_feature()->RemoveLast();
    const DecodeError error = decode_error(format, example.SerializeAsString());
    CHECK(error.kind() == DataErrorKind::kFrameCount);
    CHECK(std::string(error.what()) == "feature list 'audio' has 3 frames but 'rgb' has 4");
  }
  SUBCASE("labels of the wrong type") {
    tfexample::SequenceExample example = make_sequence_example(spec);
    (*example.mutable_context()->mutable_feature())["labels"].mutable_float_list()->add_value(1.0f);
    CHECK(decode_error(format, example.SerializeAsString()).kind() == DataErrorKind::kWrongType);
  }
  SUBCASE("empty video") {
    spec.frames = 0;
    CHECK(decode_error(format, make_record(spec)).kind() == DataErrorKind::kFrameCount);
  }
  SUBCASE("NaN or infinite float features: a damaged record, not a NaN loss later") {
    tfexample::Example example;
    auto& features = *example.mutable_features()->mutable_feature();
    features["id"].mutable_bytes_list()->add_value("Zz99");
    for (int i = 0; i < 8; ++i) features["mean_rgb"].mutable_float_list()->add_value(i == 6 ? INFINITY : 0.5f);
    for (int i = 0; i < 4; ++i) features["mean_audio"].mutable_float_list()->add_value(0.25f);
    format.level = Level::kVideo;
    format.features = {{"mean_rgb", 8}, {"mean_audio", 4}};
    DecodeError error = decode_error(format, example.SerializeAsString());
    CHECK(error.kind() == DataErrorKind::kNonFinite);
    CHECK(error.video_id() == "Zz99");
    CHECK(std::string(error.what()) == "feature 'mean_rgb' holds inf at value 6");
    features["mean_rgb"].mutable_float_list()->set_value(6, 0.5f);
    features["mean_audio"].mutable_float_list()->set_value(1, NAN);
    error = decode_error(format, example.SerializeAsString());
    CHECK(error.kind() == DataErrorKind::kNonFinite);
    CHECK(std::string(error.what()) == "feature 'mean_audio' holds nan at value 1");
  }
}

TEST_CASE("a video without labels is allowed") {
  VideoSpec spec;
  spec.labels = {};
  const Decoded out = decode(small_format(), make_record(spec));
  CHECK(out.labels.empty());
  CHECK(out.length == 4);
}

TEST_CASE("stored bytes: the kept frames' bytes as the record holds them, zero bytes after") {
  VideoSpec spec;
  spec.frames = 10;
  spec.labels = {2};
  RecordFormat format = small_format();
  format.skip_frames = 3;
  format.frame_values = FrameValues::kStoredBytes;
  REQUIRE(format.validate().empty());
  tfexample::SequenceExample example = make_sequence_example(spec);
  VideoDecoder decoder(format);
  std::vector<uint8_t> frames(static_cast<size_t>(format.time_steps() * format.feature_dim()), 0xAA);
  std::vector<int32_t> labels;
  std::string id;
  CHECK(decoder.decode(example.SerializeAsString(), frames.data(), labels, id) == 6);  // frames 3..8
  CHECK(labels == std::vector<int32_t>{2});
  CHECK(id == "Ab3x");
  for (int t = 0; t < 6; ++t) {
    for (int i = 0; i < 8; ++i) CHECK(frames[static_cast<size_t>(t * 12 + i)] == frame_byte(t + 3, 0, i));
    for (int i = 0; i < 4; ++i) CHECK(frames[static_cast<size_t>(t * 12 + 8 + i)] == frame_byte(t + 3, 1, i));
  }
  // The float decoding of the same record is the dequantisation of these bytes.
  RecordFormat floats = format;
  floats.frame_values = FrameValues::kDequantized;
  const Decoded dequantized_frames = decode(floats, example.SerializeAsString());
  for (size_t k = 0; k < 6 * 12; ++k) CHECK(dequantized_frames.features[k] == dequantized(frames[k]));

  format.max_frames = 12;
  VideoDecoder longer(format);
  frames.assign(static_cast<size_t>(12 * 12), 0xAA);
  CHECK(longer.decode(example.SerializeAsString(), frames.data(), labels, id) == 7);
  for (size_t k = 7 * 12; k < frames.size(); ++k) CHECK(frames[k] == 0);

  // Frames held as floats have no bytes to keep.
  for (auto& feature : *(*example.mutable_feature_lists()->mutable_feature_list())["audio"].mutable_feature()) {
    feature.Clear();
    for (int i = 0; i < 4; ++i) feature.mutable_float_list()->add_value(0.25f * i);
  }
  try {
    longer.decode(example.SerializeAsString(), frames.data(), labels, id);
    FAIL("float frames were kept as bytes");
  } catch (const DecodeError& error) {
    CHECK(error.kind() == DataErrorKind::kWrongType);
    CHECK(std::string(error.what()).find("holds floats, but this run reads frames as their stored bytes") !=
          std::string::npos);
  }
  // Not for video-level records, nor with normalisation.
  format.normalize = Normalize::kL2;
  CHECK_FALSE(format.validate().empty());
  format.normalize = Normalize::kNone;
  format.level = Level::kVideo;
  CHECK_FALSE(format.validate().empty());
}
