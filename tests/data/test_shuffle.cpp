// The shuffle's quality and the record index behind it: on files written in class order, the
// batches of a windowed shuffle are made of one or two classes, those of the permutation look like
// the whole data set; the permutation covers every record once per epoch, mixes files, resumes
// exactly, and reports damaged records where they are.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "runtime/data/dataset.h"
#include "runtime/data/record_index.h"
#include "runtime/data/record_writer.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::make_record;
using ynet::data::testing::read_bytes;
using ynet::data::testing::TempDir;
using ynet::data::testing::VideoSpec;
using ynet::data::testing::write_bytes;
using ynet::data::testing::write_records;

namespace {

constexpr int kClasses = 20;
constexpr int kPerClass = 60;
constexpr int kFiles = 4;

// 1,200 videos "c<class>_<n>" with the one label <class>, written sorted by class: file f holds
// classes 5f..5f+4, each class's videos one after another (as shards written by class are).
void write_class_sorted(const TempDir& dir) {
  for (int f = 0; f < kFiles; ++f) {
    std::vector<std::string> records;
    for (int c = f * kClasses / kFiles; c < (f + 1) * kClasses / kFiles; ++c) {
      for (int n = 0; n < kPerClass; ++n) {
        VideoSpec spec;
        spec.id = fmt::format("c{}_{}", c, n);
        spec.labels = {c};
        spec.frames = 2;
        records.push_back(make_record(spec));
      }
    }
    write_records(dir.file(fmt::format("sorted{}.tfrecord", f)), records);
  }
}

DatasetConfig sorted_config(const TempDir& dir, ShuffleMode mode) {
  DatasetConfig config;
  config.files = {dir.file("sorted*.tfrecord")};
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  config.format.num_classes = kClasses;
  config.format.max_frames = 2;
  config.batch_size = 32;
  config.shuffle = true;
  config.shuffle_mode = mode;
  config.shuffle_buffer = 128;
  config.seed = 3;
  config.epochs = 2;
  config.drop_remainder = true;
  return config;
}

// The mean over batches of the largest deviation of a class's share of the batch from its share
// of the data (1/kClasses here). A uniformly shuffled batch of 32 deviates by about
// sqrt(p(1-p)/32) ~ 0.04 per class, ~0.1 at most over 20 classes; a batch of one class by 0.95.
double mean_batch_deviation(const DatasetConfig& config, std::vector<std::string>* ids = nullptr) {
  Dataset dataset(config);
  Batch batch;
  double total = 0;
  int batches = 0;
  while (dataset.next(batch)) {
    std::vector<int> counts(kClasses, 0);
    for (const int32_t label : batch.labels) ++counts[static_cast<size_t>(label)];
    double worst = 0;
    for (const int count : counts)
      worst = std::max(worst, std::abs(count / static_cast<double>(batch.count) - 1.0 / kClasses));
    total += worst;
    ++batches;
    if (ids != nullptr) ids->insert(ids->end(), batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  }
  REQUIRE(batches > 0);
  return total / batches;
}

}  // namespace

TEST_CASE("on class-sorted files, the permutation's batches look like the data; a window's do not") {
  TempDir dir;
  write_class_sorted(dir);
  constexpr double kBound = 0.2;
  // A window of 128 records of class-sorted files holds two or three classes: every batch is
  // made of them. This is the check failing for the windowed shuffle.
  const double window = mean_batch_deviation(sorted_config(dir, ShuffleMode::kWindow));
  CHECK(window > kBound);
  std::vector<std::string> ids;
  const DatasetConfig config = sorted_config(dir, ShuffleMode::kPermutation);
  CHECK(Dataset(config).shuffle_mode() == ShuffleMode::kPermutation);
  const double permuted = mean_batch_deviation(config, &ids);
  CHECK(permuted < kBound);
  MESSAGE("mean largest class-share deviation per batch: window ", window, ", permutation ", permuted);
  // Each epoch holds every record once (two epochs of 1,200 make 75 batches of 32; batches run
  // across the epoch boundary).
  REQUIRE(ids.size() == 75 * 32);
  const std::vector<std::string> first(ids.begin(), ids.begin() + 1200);
  CHECK(std::set<std::string>(first.begin(), first.end()).size() == 1200);
  // Neighbours on disk are far apart in the stream: the mean distance of a record to the record
  // written after it is about a third of the epoch, as for any uniform permutation.
  std::map<std::string, size_t> where;
  for (size_t i = 0; i < first.size(); ++i) where[first[i]] = i;
  double distance = 0;
  int pairs = 0;
  for (int c = 0; c < kClasses; ++c) {
    for (int n = 0; n + 1 < kPerClass; ++n) {
      const double a = static_cast<double>(where[fmt::format("c{}_{}", c, n)]);
      const double b = static_cast<double>(where[fmt::format("c{}_{}", c, n + 1)]);
      distance += std::abs(a - b);
      ++pairs;
    }
  }
  CHECK(distance / pairs / 1200.0 > 0.25);
}

TEST_CASE("the permutation: its own order each epoch, seeded, independent of threads and of the buffer") {
  TempDir dir;
  write_class_sorted(dir);
  DatasetConfig config = sorted_config(dir, ShuffleMode::kPermutation);
  config.drop_remainder = false;
  config.threads = 1;
  std::vector<std::string> reference;
  mean_batch_deviation(config, &reference);
  REQUIRE(reference.size() == 2400);
  std::vector<std::string> first(reference.begin(), reference.begin() + 1200);
  std::vector<std::string> second(reference.begin() + 1200, reference.end());
  CHECK(first != second);
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  CHECK(first == second);
  // The buffer only groups the reads: the order is the same for any buffer and thread count.
  for (const auto& [threads, buffer] : {std::pair{2, 128}, std::pair{3, 7}, std::pair{1, 5000}}) {
    config.threads = threads;
    config.shuffle_buffer = buffer;
    std::vector<std::string> ids;
    mean_batch_deviation(config, &ids);
    CHECK(ids == reference);
  }
  config.seed = 4;
  std::vector<std::string> other;
  mean_batch_deviation(config, &other);
  CHECK(other != reference);
}

TEST_CASE("the permutation resumes exactly from any saved position") {
  TempDir dir;
  write_class_sorted(dir);
  DatasetConfig config = sorted_config(dir, ShuffleMode::kPermutation);
  config.batch_size = 50;
  config.shuffle_buffer = 64;
  config.drop_remainder = false;
  std::vector<std::vector<std::string>> reference;
  std::vector<DatasetPosition> positions;
  {
    Dataset dataset(config);
    Batch batch;
    while (dataset.next(batch)) {
      reference.emplace_back(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
      positions.push_back(dataset.position());
    }
  }
  REQUIRE(reference.size() == 48);
  for (const size_t k : {size_t{0}, size_t{1}, size_t{22}, size_t{23}, size_t{24}, size_t{40}}) {
    CAPTURE(k);
    Dataset dataset(config);
    dataset.seek(positions[k]);
    Batch batch;
    std::vector<std::vector<std::string>> rest;
    while (dataset.next(batch)) rest.emplace_back(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
    CHECK(rest == std::vector<std::vector<std::string>>(reference.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                                                       reference.end()));
  }
}

TEST_CASE("the index: offsets and lengths of every record, damage in entries of its own") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 6; ++i) {
    VideoSpec spec;
    spec.id = "v" + std::to_string(i);
    spec.frames = 1 + i;
    records.push_back(make_record(spec));
  }
  write_records(dir.file("a.tfrecord"), records);
  std::string bytes = read_bytes(dir.file("a.tfrecord"));
  std::vector<uint64_t> offsets{0};
  for (const std::string& record : records) offsets.push_back(offsets.back() + record.size() + 16);
  bytes[offsets[2] + 3] ^= 0x01;   // record 2: length CRC
  bytes[offsets[4] + 20] ^= 0x01;  // record 4: data CRC (found when read, not by the scan)
  write_bytes(dir.file("a.tfrecord"), bytes);
  write_bytes(dir.file("b.tfrecord"), "");
  const std::vector<std::string> paths = {dir.file("a.tfrecord"), dir.file("b.tfrecord"), dir.file("missing.tfrecord")};
  const RecordIndex index(paths, {0, 1, 2}, {}, 2);
  REQUIRE(index.size() == 8);
  CHECK_FALSE(index.compressed());
  for (size_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(index[i].file == 0);
    CHECK(index.record_in_file(i) == static_cast<int64_t>(i));
    if (i == 2) {
      REQUIRE(index[i].error >= 0);
      CHECK(index.error(index[i].error).kind() == DataErrorKind::kLengthCrc);
      CHECK(index.error(index[i].error).offset() == offsets[2]);
      continue;
    }
    CHECK(index[i].error == -1);
    CHECK(index[i].offset == offsets[i]);
    CHECK(index[i].length == records[i].size());
  }
  REQUIRE(index[6].error >= 0);
  CHECK(index.error(index[6].error).kind() == DataErrorKind::kEmptyFile);
  REQUIRE(index[7].error >= 0);
  CHECK(index.error(index[7].error).kind() == DataErrorKind::kUnreadable);

  IndexedRecordReader reader(paths, true);
  std::string data;
  reader.read(index, 5, data);
  CHECK(data == records[5]);
  reader.read(index, 0, data);
  CHECK(data == records[0]);
  try {
    reader.read(index, 4, data);
    FAIL("no error");
  } catch (const DataError& error) {
    CHECK(error.kind() == DataErrorKind::kDataCrc);
    CHECK(std::string(error.what()).find("a.tfrecord: byte " + std::to_string(offsets[4]) +
                                         ": record 4: data CRC mismatch") != std::string::npos);
    CHECK(error.bytes_lost() == records[4].size() + 16);
  }
  CHECK_THROWS_AS(reader.read(index, 2, data), DataError);
  IndexedRecordReader unchecked(paths, false);
  unchecked.read(index, 4, data);
  CHECK(data.size() == records[4].size());
}

TEST_CASE("damaged records under the permutation: each reported once per epoch with its location") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 12; ++i) {
    VideoSpec spec;
    spec.id = "v" + std::to_string(i);
    spec.labels = {i == 9 ? 9 : 1};  // record 9: label out of range for 7 classes
    records.push_back(make_record(spec));
  }
  write_records(dir.file("part000.tfrecord"), records);
  std::string bytes = read_bytes(dir.file("part000.tfrecord"));
  const size_t size = records[0].size() + 16;
  bytes[size * 3 + 2] ^= 0x01;    // record 3: length CRC, resynchronised
  bytes[size * 6 + 30] ^= 0x01;   // record 6: data CRC
  write_bytes(dir.file("part000.tfrecord"), bytes);
  DatasetConfig config;
  config.files = {dir.file("part*.tfrecord")};
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  config.format.num_classes = 7;
  config.format.max_frames = 6;
  config.batch_size = 4;
  config.shuffle = true;
  config.shuffle_buffer = 5;
  config.seed = 1;
  config.epochs = 2;
  {
    Dataset dataset(config);
    Batch batch;
    CHECK_THROWS_AS(while (dataset.next(batch)) {}, DataError);
  }
  config.skip_corrupt = true;
  Dataset dataset(config);
  REQUIRE(dataset.shuffle_mode() == ShuffleMode::kPermutation);
  std::multiset<std::string> messages;
  dataset.on_skip([&](const DataError& error) { messages.insert(error.what()); });
  Batch batch;
  std::multiset<std::string> ids;
  while (dataset.next(batch)) ids.insert(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  CHECK(ids.size() == 18);  // 9 good records, 2 epochs
  CHECK(ids.count("v0") == 2);
  CHECK(ids.count("v3") == 0);
  CHECK(dataset.skipped_records() == 6);
  const std::string file = dir.file("part000.tfrecord");
  int length = 0, data = 0, label = 0;
  for (const std::string& message : messages) {
    if (message.find(file + ": byte " + std::to_string(size * 3) + ": record 3: length CRC mismatch") == 0 &&
        message.find("skipped " + std::to_string(size) + " bytes to the next valid record header") != std::string::npos)
      ++length;
    if (message.find(file + ": byte " + std::to_string(size * 6) + ": record 6: data CRC mismatch") == 0) ++data;
    if (message.find(file + ": byte " + std::to_string(size * 9) + ": record 9: video 'v9': label 9 out of range") == 0)
      ++label;
  }
  CHECK(length == 2);
  CHECK(data == 2);
  CHECK(label == 2);
}

TEST_CASE("compressed files fall back to the windowed shuffle") {
  TempDir dir;
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) {
    VideoSpec spec;
    spec.id = "v" + std::to_string(i);
    records.push_back(make_record(spec));
  }
  RecordWriter writer(dir.file("part000.tfrecord.gz"), Compression::kGzip);
  for (const std::string& record : records) writer.write(record);
  writer.close();
  DatasetConfig config;
  config.files = {dir.file("part*")};
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  config.format.num_classes = 7;
  config.format.max_frames = 6;
  config.batch_size = 3;
  config.shuffle = true;
  Dataset dataset(config);
  CHECK(dataset.shuffle_mode() == ShuffleMode::kWindow);
  Batch batch;
  std::set<std::string> ids;
  while (dataset.next(batch)) ids.insert(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  CHECK(ids.size() == 10);
}
