// The Dataset: batch layout, order independent of threads, sharding coverage, exact resume,
// epochs, drop_remainder and damaged records.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "runtime/data/data_error.h"
#include "runtime/data/dataset.h"
#include "runtime/data/frame_probe.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::frame_byte;
using ynet::data::testing::TempDir;
using ynet::data::testing::write_numbered_dataset;

namespace {

DatasetConfig base_config(const TempDir& dir) {
  DatasetConfig config;
  config.files = {dir.file("part*.tfrecord")};
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  config.format.num_classes = 7;
  config.format.max_frames = 6;
  config.batch_size = 5;
  return config;
}

struct BatchRecord {
  std::vector<std::string> ids;
  std::vector<int32_t> lengths;
  std::vector<int32_t> labels;
  std::vector<float> features;
  bool operator==(const BatchRecord&) const = default;
};

BatchRecord snapshot(const Batch& batch) {
  BatchRecord record;
  record.ids.assign(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  record.lengths.assign(batch.lengths.begin(), batch.lengths.begin() + batch.count);
  record.labels = batch.labels;
  record.features.assign(batch.features.begin(),
                         batch.features.begin() + static_cast<std::ptrdiff_t>(batch.count) * batch.time_steps * batch.feature_dim);
  return record;
}

std::vector<BatchRecord> read_all(const DatasetConfig& config, std::vector<DatasetPosition>* positions = nullptr) {
  Dataset dataset(config);
  std::vector<BatchRecord> batches;
  Batch batch;
  while (dataset.next(batch)) {
    batches.push_back(snapshot(batch));
    if (positions != nullptr) positions->push_back(dataset.position());
  }
  return batches;
}

std::vector<std::string> all_ids(const std::vector<BatchRecord>& batches) {
  std::vector<std::string> ids;
  for (const BatchRecord& batch : batches) ids.insert(ids.end(), batch.ids.begin(), batch.ids.end());
  return ids;
}

}  // namespace

TEST_CASE("batches in file order: layout, lengths, labels, padding") {
  TempDir dir;
  write_numbered_dataset(dir, 23, 3);
  const DatasetConfig config = base_config(dir);
  Dataset dataset(config);
  CHECK(dataset.files().size() == 3);
  CHECK(dataset.shard_by() == ShardBy::kFile);
  Batch batch;
  std::vector<int> counts;
  std::vector<std::string> ids;
  while (dataset.next(batch)) {
    counts.push_back(batch.count);
    REQUIRE(batch.time_steps == 6);
    REQUIRE(batch.feature_dim == 12);
    for (int b = 0; b < batch.count; ++b) {
      ids.push_back(batch.video_ids[static_cast<size_t>(b)]);
      const int index = std::stoi(batch.video_ids[static_cast<size_t>(b)].substr(1));
      CHECK(batch.lengths[static_cast<size_t>(b)] == 1 + index % 5);
      REQUIRE(batch.labels_of(b).size() == 1);
      CHECK(batch.labels_of(b)[0] == index % 7);
      const float* row = batch.row(b);
      CHECK(row[0] == static_cast<float>(frame_byte(0, 0, 0)) * (4.0f / 255.0f) + (4.0f / 512.0f - 2.0f));
      CHECK(row[static_cast<size_t>(batch.lengths[static_cast<size_t>(b)]) * 12] == (batch.lengths[static_cast<size_t>(b)] < 6 ? 0.0f : row[5 * 12]));
    }
  }
  CHECK(counts == std::vector<int>{5, 5, 5, 5, 3});
  // Files part000 (v0, v3, ...), part001 (v1, v4, ...), part002 in name order.
  CHECK(ids.front() == "v0");
  CHECK(ids[1] == "v3");
  CHECK(ids[8] == "v1");
  CHECK(dataset.position() == DatasetPosition{1, 0});
  CHECK_FALSE(dataset.next(batch));
}

TEST_CASE("drop_remainder and epochs") {
  TempDir dir;
  write_numbered_dataset(dir, 23, 3);
  DatasetConfig config = base_config(dir);
  config.drop_remainder = true;
  CHECK(read_all(config).size() == 4);
  config.drop_remainder = false;
  config.epochs = 3;
  const auto batches = read_all(config);
  CHECK(all_ids(batches).size() == 69);  // batches run across epoch boundaries
  CHECK(batches.size() == 14);
}

TEST_CASE("the order depends on the seed, not on the number of threads") {
  TempDir dir;
  write_numbered_dataset(dir, 40, 4);
  DatasetConfig config = base_config(dir);
  config.shuffle = true;
  config.shuffle_buffer = 7;
  config.seed = 11;
  config.epochs = 2;
  config.batch_size = 3;
  config.threads = 1;
  config.prefetch = 1;
  const auto reference = read_all(config);
  for (const auto& [threads, prefetch] : {std::pair{2, 2}, std::pair{4, 3}, std::pair{3, 8}}) {
    config.threads = threads;
    config.prefetch = prefetch;
    CHECK(read_all(config) == reference);
  }
  const std::vector<std::string> ids = all_ids(reference);
  REQUIRE(ids.size() == 80);
  std::vector<std::string> first(ids.begin(), ids.begin() + 40);
  std::vector<std::string> second(ids.begin() + 40, ids.end());
  CHECK(first != second);  // each epoch has its own order
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  CHECK(first == second);
  CHECK(std::set<std::string>(first.begin(), first.end()).size() == 40);
  config.seed = 12;
  CHECK(all_ids(read_all(config)) != ids);
}

TEST_CASE("sharding covers every record exactly once") {
  TempDir dir;
  for (const int files : {5, 2}) {
    CAPTURE(files);
    TempDir data;
    write_numbered_dataset(data, 31, files);
    DatasetConfig config = base_config(data);
    for (const bool shuffle : {false, true}) {
      for (const ShardBy shard_by : {ShardBy::kAuto, ShardBy::kRecord}) {
        std::multiset<std::string> seen;
        for (int rank = 0; rank < 3; ++rank) {
          config.shuffle = shuffle;
          config.shuffle_buffer = 4;
          config.shard_by = shard_by;
          config.world_size = 3;
          config.rank = rank;
          Dataset dataset(config);
          const ShardBy expected = shard_by == ShardBy::kRecord || files < 3 ? ShardBy::kRecord : ShardBy::kFile;
          CHECK(dataset.shard_by() == expected);
          Batch batch;
          while (dataset.next(batch)) seen.insert(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
        }
        CHECK(seen.size() == 31);
        CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 31);
      }
    }
  }
}

TEST_CASE("seek to a saved position continues with exactly the same batches") {
  TempDir dir;
  write_numbered_dataset(dir, 26, 3);
  DatasetConfig config = base_config(dir);
  config.shuffle = true;
  config.shuffle_buffer = 4;
  config.seed = 5;
  config.epochs = 3;
  config.batch_size = 4;
  config.threads = 2;
  std::vector<DatasetPosition> positions;
  const auto reference = read_all(config, &positions);
  REQUIRE(reference.size() == 20);
  for (const size_t k : {size_t{0}, size_t{2}, size_t{5}, size_t{6}, size_t{12}, size_t{18}}) {
    CAPTURE(k);
    Dataset dataset(config);
    DatasetPosition saved;
    REQUIRE(parse_position(to_string(positions[k]), saved));
    dataset.seek(saved);
    Batch batch;
    std::vector<BatchRecord> rest;
    while (dataset.next(batch)) rest.push_back(snapshot(batch));
    CHECK(rest == std::vector<BatchRecord>(reference.begin() + static_cast<std::ptrdiff_t>(k) + 1, reference.end()));
  }
  // Seeking an open dataset backwards works too.
  Dataset dataset(config);
  Batch batch;
  for (int i = 0; i < 7; ++i) REQUIRE(dataset.next(batch));
  dataset.seek(positions[1]);
  REQUIRE(dataset.next(batch));
  CHECK(snapshot(batch) == reference[2]);
}

TEST_CASE("damaged records: stop with the location, or skip and count") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 8; ++i) {
    ynet::data::testing::VideoSpec spec;
    spec.id = "v" + std::to_string(i);
    spec.labels = {i == 4 ? 9 : 1};                           // record 4: label out of range for 7 classes
    if (i == 6) spec.features = {{"rgb", 8}};                 // record 6: no 'audio' feature list
    if (i == 7) spec.features = {{"rgb", 8}, {"audio", 3}};  // record 7: audio frames of 3 bytes
    records.push_back(ynet::data::testing::make_record(spec));
  }
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), records);
  std::string bytes = ynet::data::testing::read_bytes(dir.file("part000.tfrecord"));
  const size_t record_size = records[0].size() + 16;
  bytes[record_size * 2 + 12 + 5] ^= 0x40;  // record 2: data CRC
  ynet::data::testing::write_bytes(dir.file("part000.tfrecord"), bytes);

  DatasetConfig config = base_config(dir);
  config.batch_size = 2;
  {
    Dataset dataset(config);
    Batch batch;
    REQUIRE(dataset.next(batch));
    try {
      dataset.next(batch);
      FAIL("no error");
    } catch (const DataError& error) {
      CHECK(error.kind() == DataErrorKind::kDataCrc);
      CHECK(error.offset() == record_size * 2);
      CHECK(error.record() == 2);
      CHECK(std::string(error.what()).find("part000.tfrecord: byte " + std::to_string(record_size * 2) +
                                           ": record 2: data CRC mismatch") != std::string::npos);
    }
    CHECK_THROWS_AS(dataset.next(batch), DataError);  // stays failed
  }
  config.skip_corrupt = true;
  Dataset dataset(config);
  std::vector<std::string> messages;
  dataset.on_skip([&](const DataError& error) { messages.push_back(error.what()); });
  Batch batch;
  std::vector<std::string> ids;
  while (dataset.next(batch)) ids.insert(ids.end(), batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  CHECK(ids == std::vector<std::string>{"v0", "v1", "v3", "v5"});
  CHECK(dataset.skipped_records() == 4);
  REQUIRE(messages.size() == 4);
  CHECK(messages[0].find("record 2: data CRC mismatch") != std::string::npos);
  CHECK(messages[1].find("record 4: video 'v4': label 9 out of range [0, 7)") != std::string::npos);
  CHECK(messages[2].find("record 6: video 'v6': missing feature list 'audio'") != std::string::npos);
  CHECK(messages[3].find("record 7: video 'v7': frame 0 of 'audio' has 3 bytes, expected 4") != std::string::npos);
}

TEST_CASE("data without a single good record ends instead of repeating forever") {
  TempDir dir;
  ynet::data::testing::write_bytes(dir.file("part000.tfrecord"), std::string(64, '\x33'));
  DatasetConfig config = base_config(dir);
  config.skip_corrupt = true;
  config.epochs = 0;
  Dataset dataset(config);
  Batch batch;
  CHECK_FALSE(dataset.next(batch));
  CHECK(dataset.skipped_records() == 1);
}

TEST_CASE("records that all fail to decode end an endless pass with the first failure, not a spin") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 5; ++i) {
    ynet::data::testing::VideoSpec spec;
    spec.id = "v" + std::to_string(i);
    spec.labels = {9};  // out of range for 7 classes
    records.push_back(ynet::data::testing::make_record(spec));
  }
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), records);
  DatasetConfig config = base_config(dir);
  config.skip_corrupt = true;
  config.epochs = 0;
  config.batch_size = 2;
  Dataset dataset(config);
  Batch batch;
  try {
    dataset.next(batch);
    FAIL("no error");
  } catch (const NoUsableRecords& error) {
    CHECK(std::string(error.what()).find("the first failure: " + dir.file("part000.tfrecord") +
                                         ": byte 0: record 0: video 'v0': label 9 out of range") != std::string::npos);
  }
  CHECK(dataset.skipped_records() >= 5);
}

TEST_CASE("a stop request ends a wait for data") {
  TempDir dir;
  ynet::data::testing::VideoSpec spec;
  spec.id = "v";
  spec.labels = {9};
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), {ynet::data::testing::make_record(spec)});
  DatasetConfig config = base_config(dir);
  config.skip_corrupt = true;
  config.epochs = 0;
  Dataset dataset(config);
  request_stop(15);
  Batch batch;
  CHECK_THROWS_AS(dataset.next(batch), StopRequested);
  clear_stop_request();
}

TEST_CASE("configuration and glob errors") {
  TempDir dir;
  DatasetConfig config = base_config(dir);
  try {
    Dataset dataset(config);
    FAIL("no error");
  } catch (const DataError& error) {
    CHECK(error.kind() == DataErrorKind::kNoMatch);
    CHECK(std::string(error.what()).find("part*.tfrecord: pattern matches no file") != std::string::npos);
  }
  config.batch_size = 0;
  CHECK_THROWS_AS(Dataset{config}, std::invalid_argument);
  config.batch_size = 2;
  config.rank = 3;
  CHECK_THROWS_AS(Dataset{config}, std::invalid_argument);
}

TEST_CASE("video-level dataset: T = 1") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 3; ++i) {
    ynet::tfexample::Example example;
    auto& features = *example.mutable_features()->mutable_feature();
    features["id"].mutable_bytes_list()->add_value("x" + std::to_string(i));
    features["labels"].mutable_int64_list()->add_value(i);
    for (int k = 0; k < 3; ++k) features["mean_rgb"].mutable_float_list()->add_value(static_cast<float>(i * 10 + k));
    records.push_back(example.SerializeAsString());
  }
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), records);
  DatasetConfig config = base_config(dir);
  config.format.level = Level::kVideo;
  config.format.features = {{"mean_rgb", 3}};
  config.batch_size = 3;
  Dataset dataset(config);
  Batch batch;
  REQUIRE(dataset.next(batch));
  CHECK(batch.time_steps == 1);
  CHECK(std::vector<float>(batch.features.begin(), batch.features.end()) == std::vector<float>{0, 1, 2, 10, 11, 12, 20, 21, 22});
  CHECK(batch.lengths == std::vector<int32_t>{1, 1, 1});
}

TEST_CASE("stored bytes: the same batches as dequantized frames, a quarter of the size") {
  TempDir dir;
  write_numbered_dataset(dir, 23, 3);
  DatasetConfig floats = base_config(dir);
  floats.threads = 2;
  DatasetConfig bytes = floats;
  bytes.format.frame_values = FrameValues::kStoredBytes;
  CHECK(probe_frame_encoding(floats) == FrameEncoding::kBytes);
  Dataset a(floats), b(bytes);
  Batch fa, fb;
  int batches = 0;
  while (a.next(fa)) {
    REQUIRE(b.next(fb));
    ++batches;
    CHECK(fb.features.empty());
    REQUIRE(fb.frame_bytes.size() == fa.features.size());
    CHECK(fb.video_ids == fa.video_ids);
    CHECK(fb.lengths == fa.lengths);
    CHECK(fb.labels == fa.labels);
    CHECK(fb.record_bytes == fa.record_bytes);
    const size_t filled = static_cast<size_t>(fa.count) * fa.row_size();
    for (size_t k = 0; k < filled; ++k) {
      // Padding is zero in both; every other value is the byte dequantized.
      const float expected = fa.features[k] == 0.0f && fb.frame_bytes[k] == 0
                                 ? 0.0f
                                 : static_cast<float>(fb.frame_bytes[k]) * (4.0f / 255.0f) + (4.0f / 512.0f - 2.0f);
      if (fa.features[k] != expected) FAIL_CHECK("value " << k << " of batch " << batches << " differs");
    }
  }
  CHECK_FALSE(b.next(fb));
  CHECK(batches == 5);
}

TEST_CASE("probing how the data stores its frames") {
  TempDir dir;
  DatasetConfig config = base_config(dir);
  CHECK(probe_frame_encoding(config) == FrameEncoding::kUnknown);  // no file matches
  ynet::data::testing::VideoSpec spec;
  ynet::tfexample::SequenceExample example = ynet::data::testing::make_sequence_example(spec);
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), {example.SerializeAsString()});
  CHECK(probe_frame_encoding(config) == FrameEncoding::kBytes);
  config.format.features = {{"rgb", 8}, {"depth", 4}};
  CHECK(probe_frame_encoding(config) == FrameEncoding::kUnknown);  // a feature list it lacks
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  for (auto& feature : *(*example.mutable_feature_lists()->mutable_feature_list())["audio"].mutable_feature()) {
    feature.Clear();
    feature.mutable_float_list()->add_value(1.0f);
  }
  ynet::data::testing::write_records(dir.file("part000.tfrecord"), {example.SerializeAsString()});
  CHECK(probe_frame_encoding(config) == FrameEncoding::kFloats);
  ynet::data::testing::write_bytes(dir.file("part000.tfrecord"), "not a tfrecord");
  CHECK(probe_frame_encoding(config) == FrameEncoding::kUnknown);
  config.format.level = Level::kVideo;
  CHECK(probe_frame_encoding(config) == FrameEncoding::kUnknown);
}

TEST_CASE("a short batch's rows past the data are zeros, whatever its buffers held before") {
  TempDir dir;
  write_numbered_dataset(dir, 17, 2);  // 8 full batches of 2, then 1 video
  for (bool stored_bytes : {false, true}) {
    CAPTURE(stored_bytes);
    DatasetConfig config = base_config(dir);
    if (stored_bytes) config.format.frame_values = FrameValues::kStoredBytes;
    config.batch_size = 2;
    Dataset dataset(config);
    Batch batch;
    int batches = 0;
    while (dataset.next(batch)) ++batches;
    REQUIRE(batches == 9);
    // `batch` holds the last one, in a buffer that held earlier frames: the pipeline's few buffers
    // take turns.
    REQUIRE(batch.count == 1);
    const size_t filled = batch.row_size(), total = 2 * batch.row_size();
    size_t nonzero = 0;
    for (size_t k = filled; k < total; ++k)
      nonzero += stored_bytes ? batch.frame_bytes[k] != 0 : batch.features[k] != 0.0f;
    CHECK(nonzero == 0);
  }
}
