// Batch slicing for data-parallel training: R processes, each reading its slice of every global
// batch, together yield exactly the batches of one process reading the whole global batch (same
// records, decoded contents and positions), resume each other's positions at any R, read only
// their own records under the permutation, and keep their batches full by a fixed rule when a
// record of their slice is damaged.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

#include "runtime/data/dataset.h"
#include "runtime/data/record_writer.h"
#include "runtime/data/skip_report.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::make_record;
using ynet::data::testing::read_bytes;
using ynet::data::testing::TempDir;
using ynet::data::testing::VideoSpec;
using ynet::data::testing::write_bytes;
using ynet::data::testing::write_records;

namespace {

constexpr int kVideos = 50;  // 6.25 global batches of 8 per epoch: batches straddle epochs
constexpr int kGlobalBatch = 8;
constexpr int kSteps = 20;

// A batch's rows as comparable values.
struct Row {
  std::string id;
  std::vector<int32_t> labels;
  int32_t length = 0;
  std::vector<float> frames;
  bool operator==(const Row&) const = default;
};

std::vector<Row> rows_of(const Batch& batch) {
  std::vector<Row> rows;
  for (int b = 0; b < batch.count; ++b) {
    const auto labels = batch.labels_of(b);
    rows.push_back({batch.video_ids[static_cast<size_t>(b)], {labels.begin(), labels.end()},
                    batch.lengths[static_cast<size_t>(b)], {batch.row(b), batch.row(b) + batch.row_size()}});
  }
  return rows;
}

struct Step {
  std::vector<Row> rows;
  DatasetPosition position;
};

// Videos "v<i>" with label i % 7 (or `bad_label` for those in `bad_labels`) and 1 + i % 5
// frames, over 3 files. A label of one digit keeps every record's size whatever the label.
std::vector<std::string> write_videos(const TempDir& dir, Compression compression = Compression::kNone,
                                      const std::set<int>& bad_labels = {}) {
  std::vector<std::vector<std::string>> records(3);
  for (int i = 0; i < kVideos; ++i) {
    VideoSpec spec;
    spec.id = fmt::format("v{}", i);
    spec.labels = {bad_labels.count(i) ? 9 : i % 7};
    spec.frames = 1 + i % 5;
    records[static_cast<size_t>(i % 3)].push_back(make_record(spec));
  }
  std::vector<std::string> paths;
  for (int f = 0; f < 3; ++f) {
    paths.push_back(dir.file(fmt::format("part{}.tfrecord", f)));
    RecordWriter writer(paths.back(), compression);
    for (const std::string& record : records[static_cast<size_t>(f)]) writer.write(record);
    writer.close();
  }
  return paths;
}

// The trainer's configuration: shuffled, endless, whole batches.
DatasetConfig training_config(const TempDir& dir, ShuffleMode mode, int ranks, int rank) {
  DatasetConfig config;
  config.files = {dir.file("part*")};
  config.format.features = {{"rgb", 8}, {"audio", 4}};
  config.format.num_classes = 7;
  config.format.max_frames = 6;
  config.batch_size = slice_batch_size(kGlobalBatch, ranks);
  config.slicing = {rank, ranks};
  config.shuffle = true;
  config.shuffle_mode = mode;
  config.shuffle_buffer = 7;
  config.seed = 11;
  config.epochs = 0;
  config.drop_remainder = true;
  config.threads = 2;
  return config;
}

std::vector<Step> read_steps(Dataset& dataset, int steps) {
  std::vector<Step> out;
  Batch batch;
  for (int k = 0; k < steps; ++k) {
    REQUIRE(dataset.next(batch));
    out.push_back({rows_of(batch), dataset.position()});
  }
  return out;
}

// The k-th batches of `ranks` processes, each slice checked to be full and to end at the same
// position, put together in rank order.
std::vector<Step> read_sliced_steps(const TempDir& dir, ShuffleMode mode, int ranks, int steps,
                                    const DatasetPosition* from = nullptr) {
  std::vector<std::unique_ptr<Dataset>> datasets;
  Batch batch;
  for (int r = 0; r < ranks; ++r) {
    datasets.push_back(std::make_unique<Dataset>(training_config(dir, mode, ranks, r)));
    if (from == nullptr) continue;
    // A seek in the middle of reading, as well as at the start.
    for (int k = 0; k < r % 2 * 3; ++k) REQUIRE(datasets.back()->next(batch));
    datasets.back()->seek(*from);
  }
  std::vector<Step> out(static_cast<size_t>(steps));
  for (int k = 0; k < steps; ++k) {
    for (int r = 0; r < ranks; ++r) {
      REQUIRE(datasets[static_cast<size_t>(r)]->next(batch));
      CHECK(batch.count == kGlobalBatch / ranks);
      std::vector<Row> slice = rows_of(batch);
      out[static_cast<size_t>(k)].rows.insert(out[static_cast<size_t>(k)].rows.end(), slice.begin(), slice.end());
      if (r == 0)
        out[static_cast<size_t>(k)].position = datasets[0]->position();
      else
        CHECK(datasets[static_cast<size_t>(r)]->position() == out[static_cast<size_t>(k)].position);
    }
  }
  return out;
}

void check_same_steps(const std::vector<Step>& got, const std::vector<Step>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t k = 0; k < got.size(); ++k) {
    INFO("batch " << k);
    CHECK(got[k].position == expected[k].position);
    REQUIRE(got[k].rows.size() == expected[k].rows.size());
    for (size_t i = 0; i < got[k].rows.size(); ++i) {
      INFO("row " << i << ": " << got[k].rows[i].id << " against " << expected[k].rows[i].id);
      CHECK(got[k].rows[i] == expected[k].rows[i]);
    }
  }
}

}  // namespace

TEST_CASE("a global batch that does not divide among the processes, and slicing's other limits, are errors") {
  CHECK(slice_batch_size(8, 4) == 2);
  CHECK(slice_batch_size(8, 1) == 8);
  CHECK_THROWS_WITH_AS(slice_batch_size(10, 4), doctest::Contains("does not divide evenly among 4"), std::invalid_argument);
  CHECK_THROWS_AS(slice_batch_size(8, 0), std::invalid_argument);
  TempDir dir;
  write_videos(dir);
  DatasetConfig config = training_config(dir, ShuffleMode::kPermutation, 2, 1);
  CHECK(config.validate().empty());
  config.slicing = {2, 2};
  CHECK_THROWS_AS(Dataset{config}, std::invalid_argument);
  config.slicing = {0, 2};
  config.drop_remainder = false;
  CHECK_THROWS_WITH_AS(Dataset{config}, doctest::Contains("drop_remainder"), std::invalid_argument);
  config.drop_remainder = true;
  config.world_size = 2;
  CHECK_THROWS_AS(Dataset{config}, std::invalid_argument);
}

TEST_CASE("R processes' slices of each batch, put together, are one process's batch, across epochs") {
  for (const ShuffleMode mode : {ShuffleMode::kPermutation, ShuffleMode::kWindow}) {
    for (const Compression compression : {Compression::kNone, Compression::kGzip}) {
      if (mode == ShuffleMode::kPermutation && compression == Compression::kGzip) continue;  // falls back to kWindow
      INFO("mode " << to_string(mode) << ", compressed " << (compression != Compression::kNone));
      TempDir dir;
      write_videos(dir, compression);
      Dataset single(training_config(dir, mode, 1, 0));
      REQUIRE(single.shuffle_mode() == mode);
      const std::vector<Step> expected = read_steps(single, kSteps);
      CHECK(expected.back().position.epoch >= 2);  // batches ran across two epoch boundaries
      for (const int ranks : {1, 2, 4}) {
        INFO(ranks << " processes");
        check_same_steps(read_sliced_steps(dir, mode, ranks, kSteps), expected);
      }
      // A slicing shifted by one row is not the single process's batch: the comparison can fail.
      std::vector<Step> shifted = read_sliced_steps(dir, mode, 2, 2);
      std::rotate(shifted[0].rows.begin(), shifted[0].rows.begin() + 1, shifted[0].rows.end());
      CHECK_FALSE(shifted[0].rows == expected[0].rows);
    }
  }
}

TEST_CASE("a position saved with one number of processes resumes exactly with any other") {
  TempDir dir;
  write_videos(dir);
  for (const ShuffleMode mode : {ShuffleMode::kPermutation, ShuffleMode::kWindow}) {
    INFO("mode " << to_string(mode));
    Dataset single(training_config(dir, mode, 1, 0));
    const std::vector<Step> expected = read_steps(single, kSteps);
    for (const auto& [saved_with, resumed_with] : std::vector<std::pair<int, int>>{{2, 4}, {4, 2}, {4, 1}, {1, 4}, {2, 2}}) {
      for (const int saved_after : {4, 9, 13}) {  // mid-epoch, mid-window, in different epochs
        INFO("saved by " << saved_with << " processes after batch " << saved_after << ", resumed by " << resumed_with);
        const DatasetPosition saved = read_sliced_steps(dir, mode, saved_with, saved_after + 1).back().position;
        CHECK(saved == expected[static_cast<size_t>(saved_after)].position);
        const std::vector<Step> tail(expected.begin() + saved_after + 1, expected.end());
        check_same_steps(read_sliced_steps(dir, mode, resumed_with, static_cast<int>(tail.size()), &saved), tail);
      }
    }
  }
}

TEST_CASE("under the permutation each process reads only its slice's records; under the window all") {
  TempDir dir;
  write_videos(dir);
  for (const ShuffleMode mode : {ShuffleMode::kPermutation, ShuffleMode::kWindow}) {
    INFO("mode " << to_string(mode));
    // Two whole epochs, read to the end: what is read no longer depends on how far ahead the
    // pipeline was when counted.
    const auto bytes_read = [&](int ranks, int rank) {
      DatasetConfig config = training_config(dir, mode, ranks, rank);
      config.epochs = 2;
      Dataset dataset(config);
      Batch batch;
      while (dataset.next(batch)) {}
      return dataset.record_bytes_read();
    };
    const uint64_t whole = bytes_read(1, 0);
    CHECK(whole == 2 * (read_bytes(dir.file("part0.tfrecord")).size() + read_bytes(dir.file("part1.tfrecord")).size() +
                        read_bytes(dir.file("part2.tfrecord")).size()));
    uint64_t sum = 0;
    for (int rank = 0; rank < 4; ++rank) {
      const uint64_t own = bytes_read(4, rank);
      sum += own;
      if (mode == ShuffleMode::kPermutation) {
        CHECK(own > whole / 8);
        CHECK(own < whole * 3 / 8);  // about a quarter (records differ in size)
      } else {
        CHECK(own == whole);
      }
    }
    if (mode == ShuffleMode::kPermutation) CHECK(sum == whole);  // every record read by exactly one process
  }
}

namespace {

// Breaks the data CRC of video `video` (written by write_videos: file video % 3, place video / 3).
void break_data_crc(const TempDir& dir, int video) {
  const std::string path = dir.file(fmt::format("part{}.tfrecord", video % 3));
  std::string bytes = read_bytes(path);
  size_t offset = 0;
  for (int n = 0; n < video / 3; ++n) {
    uint64_t length = 0;
    std::memcpy(&length, bytes.data() + offset, sizeof(length));
    offset += 12 + length + 4;
  }
  bytes[offset + 20] ^= 0x01;
  write_bytes(path, bytes);
}

int video_number(const std::string& id) { return std::stoi(id.substr(1)); }

}  // namespace

TEST_CASE("damaged records: replaced from the same place of the following global batches, each reported once") {
  // The same records with and without damage (framing and sizes unchanged, so the permutation is
  // the same too). A few damaged records: video 17's data CRC is broken, video 30's label is out of
  // range, and video 41's is both. Many: two in five have a label out of range, so that a place is
  // often damaged in several global batches in a row.
  std::set<int> many = {17};
  for (int i = 0; i < kVideos; ++i)
    if (i % 5 == 0 || i % 5 == 3) many.insert(i);
  for (const std::set<int>& damaged : {std::set<int>{17, 30, 41}, many}) {
    INFO(damaged.size() << " damaged records");
    TempDir clean_dir;
    write_videos(clean_dir);
    TempDir dir;
    std::set<int> bad_labels = damaged;
    bad_labels.erase(17);
    write_videos(dir, Compression::kNone, bad_labels);
    break_data_crc(dir, 17);
    if (damaged.count(41)) break_data_crc(dir, 41);
    constexpr int kLookAhead = static_cast<int>(Dataset::kReplacementHorizon);
    Dataset clean(training_config(clean_dir, ShuffleMode::kPermutation, 1, 0));
    // Enough batches for the look-ahead and the pipeline's slots read ahead of it.
    const int kReadAhead = kLookAhead + 5;
    const std::vector<Step> global = read_steps(clean, kSteps + kReadAhead);
    int replaced_from_further = 0;  // rows whose place was damaged in the next global batch too
    for (const int ranks : {2, 4}) {
      INFO(ranks << " processes");
      const int rows = kGlobalBatch / ranks;
      for (int rank = 0; rank < ranks; ++rank) {
        INFO("rank " << rank);
        DatasetConfig config = training_config(dir, ShuffleMode::kPermutation, ranks, rank);
        config.skip_corrupt = true;
        Dataset dataset(config);
        std::vector<std::string> reports;
        dataset.on_skip([&](const DataError& error) { reports.push_back(error.what()); });
        Batch batch;
        int damaged_in_slices = 0;
        for (int k = 0; k < kSteps; ++k) {
          REQUIRE(dataset.next(batch));
          REQUIRE(batch.count == rows);
          CHECK(dataset.position() == global[static_cast<size_t>(k)].position);
          const std::vector<Row> got = rows_of(batch);
          for (int i = 0; i < rows; ++i) {
            const size_t place = static_cast<size_t>(rank * rows + i);
            // The rule: the first later global batch whose record at this place is good.
            size_t source = static_cast<size_t>(k);
            if (damaged.count(video_number(global[source].rows[place].id))) ++damaged_in_slices;
            while (damaged.count(video_number(global[source].rows[place].id))) ++source;
            if (source > static_cast<size_t>(k) + 1) ++replaced_from_further;
            INFO("batch " << k << " row " << i);
            CHECK(got[static_cast<size_t>(i)] == global[source].rows[place]);
          }
        }
        // Every damaged record met in this process's slices was reported, once each time it was met;
        // a few more may come from the batches read ahead (the pipeline, the replacements' search),
        // and none from another process's slice.
        int damaged_in_slices_read_ahead = damaged_in_slices;
        for (int k = kSteps; k < kSteps + kReadAhead; ++k) {
          const std::vector<Row>& rows_k = global[static_cast<size_t>(k)].rows;
          for (int i = 0; i < rows; ++i)
            damaged_in_slices_read_ahead += static_cast<int>(damaged.count(video_number(rows_k[static_cast<size_t>(rank * rows + i)].id)));
        }
        CHECK(reports.size() >= static_cast<size_t>(damaged_in_slices));
        CHECK(reports.size() <= static_cast<size_t>(damaged_in_slices_read_ahead));
        CHECK(reports.size() == dataset.skipped_records());
        for (const std::string& report : reports) {
          const bool crc = report.find("data CRC mismatch") != std::string::npos;
          const bool label = report.find("label 9 out of range") != std::string::npos;
          CHECK((crc || label));
        }
      }
    }
    if (damaged == many) CHECK(replaced_from_further > 0);
  }
}

TEST_CASE("damage across all processes: each occurrence reported by the one process whose slice holds it") {
  TempDir dir;
  write_videos(dir, Compression::kNone, {5});
  break_data_crc(dir, 22);
  constexpr int kRanks = 4;
  std::map<std::string, int> reports;
  for (int rank = 0; rank < kRanks; ++rank) {
    DatasetConfig config = training_config(dir, ShuffleMode::kPermutation, kRanks, rank);
    config.skip_corrupt = true;
    config.prefetch = 1;
    config.threads = 1;
    Dataset dataset(config);
    dataset.on_skip([&](const DataError& error) { ++reports[error.what()]; });
    Batch batch;
    for (int k = 0; k < 25; ++k) REQUIRE(dataset.next(batch));
    CHECK(dataset.position() == DatasetPosition{3, 50});  // 25 global batches of 8: 4 epochs of 50
  }
  REQUIRE(reports.size() == 2);
  // Once per epoch, by one process; reading a few batches ahead (the pipeline, the look-ahead for
  // replacements: far less than an epoch) may add the fifth epoch's.
  for (const auto& [message, count] : reports) {
    INFO(message);
    CHECK(count >= 4);
    CHECK(count <= 5);
  }
}

TEST_CASE("a slice that cannot be filled is an error naming the damage, never a hang") {
  TempDir dir;
  std::set<int> all;
  for (int i = 0; i < kVideos; ++i) all.insert(i);
  write_videos(dir, Compression::kNone, all);  // every label out of range
  DatasetConfig config = training_config(dir, ShuffleMode::kPermutation, 2, 1);
  config.skip_corrupt = true;
  Dataset dataset(config);
  Batch batch;
  CHECK_THROWS_WITH_AS(dataset.next(batch), doctest::Contains("label 9 out of range"), SliceUnfillable);
  CHECK_THROWS_AS(dataset.next(batch), SliceUnfillable);  // and stays failed

  // Without skip_corrupt, a process meets only the damage of its own slice, and stops there.
  config.skip_corrupt = false;
  Dataset strict(config);
  CHECK_THROWS_AS(strict.next(batch), DataError);

  // Finite epochs: a damaged record in the last whole global batch has no following batch to take
  // a replacement from. Damage the video at row 1 of the 6th (last whole) batch of the epoch: the
  // process whose slice holds it fails, the other reads all 6 batches.
  TempDir clean;
  write_videos(clean);
  DatasetConfig once = training_config(clean, ShuffleMode::kPermutation, 1, 0);
  once.epochs = 1;
  Dataset clean_once(once);
  const std::vector<Step> epoch = read_steps(clean_once, 6);
  CHECK_FALSE(clean_once.next(batch));
  TempDir last_bad;
  write_videos(last_bad, Compression::kNone, {video_number(epoch[5].rows[1].id)});
  for (int rank = 0; rank < 2; ++rank) {
    DatasetConfig finite = training_config(last_bad, ShuffleMode::kPermutation, 2, rank);
    finite.skip_corrupt = true;
    finite.epochs = 1;
    Dataset dataset_once(finite);
    for (int k = 0; k < 5; ++k) REQUIRE(dataset_once.next(batch));
    if (rank == 0) {
      CHECK_THROWS_WITH_AS(dataset_once.next(batch), doctest::Contains("the data ends"), SliceUnfillable);
    } else {
      CHECK(dataset_once.next(batch));
      CHECK_FALSE(dataset_once.next(batch));
    }
  }
}
