// The synthetic generator and the label statistics: determinism, the fitted label law, the
// Table-2 shape, the order classes, and the report and plot writers.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "runtime/data/dataset.h"
#include "runtime/data/label_distribution.h"
#include "runtime/data/label_stats.h"
#include "runtime/data/synthetic.h"
#include "runtime/report/svg_chart.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::read_bytes;
using ynet::data::testing::TempDir;

namespace {

SyntheticConfig small_config(const std::string& out) {
  SyntheticConfig config;
  config.out_dir = out;
  config.videos = 300;
  config.classes = 60;
  config.min_frames = 5;
  config.max_frames = 40;
  config.shards = 2;
  config.seed = 3;
  config.threads = 2;
  return config;
}

}  // namespace

TEST_CASE("the label law: the paper's imbalance at its scale, Figure 5's shape at every scale") {
  const LabelDistribution paper = fit_label_distribution(kPaperClasses);
  CHECK(paper.weights.front() / paper.weights.back() == doctest::Approx(kTargetImbalance).epsilon(0.01));
  CHECK(labels_covering(paper.weights, 0.95) == doctest::Approx(1834).epsilon(0.01));
  for (const int classes : {3862, 1000, 400}) {
    CAPTURE(classes);
    const LabelDistribution law = fit_label_distribution(classes);
    REQUIRE(law.weights.size() == static_cast<size_t>(classes));
    const double share = static_cast<double>(labels_covering(law.weights, 0.95)) / classes;
    CHECK(share == doctest::Approx(kTargetCoverageShare).epsilon(0.03));
    CHECK(std::is_sorted(law.weights.rbegin(), law.weights.rend()));
    CHECK(law.cumulative.back() == 1.0);
  }
  CHECK(fit_label_distribution(400).weights.front() / fit_label_distribution(400).weights.back() > 1000);
}

TEST_CASE("video ids are distinct YouTube-8M-style strings") {
  std::set<std::string> ids;
  for (uint64_t i = 0; i < 20000; ++i) {
    const std::string id = synthetic_video_id(i, 20000, 7);
    CHECK(id.size() == 4);
    ids.insert(id);
  }
  CHECK(ids.size() == 20000);
  CHECK(synthetic_video_id(5, 20000000, 7).size() == 5);
}

TEST_CASE("make-data output is deterministic, readable and shaped as configured") {
  TempDir a;
  TempDir b;
  const SyntheticSummary summary = generate_synthetic(small_config(a.path()));
  SyntheticConfig other = small_config(b.path());
  other.threads = 1;
  generate_synthetic(other);
  REQUIRE(summary.files.size() == 6);
  CHECK(summary.split_videos == std::array<int64_t, 3>{210, 60, 30});
  for (const SyntheticFile& file : summary.files) {
    const std::string name = std::filesystem::path(file.path).filename().string();
    CHECK(read_bytes(file.path) == read_bytes(b.file(name)));
  }
  CHECK(std::filesystem::exists(a.file("train0000.tfrecord")));
  CHECK(std::filesystem::exists(a.file("valid0001.tfrecord")));
  CHECK(std::filesystem::exists(a.file("test0000.tfrecord")));

  DatasetConfig config;
  config.files = {a.file("*.tfrecord")};
  config.format.num_classes = 60;
  config.format.max_frames = 40;
  config.batch_size = 64;
  Dataset dataset(config);
  Batch batch;
  int videos = 0;
  int min_length = 1000;
  int max_length = 0;
  std::set<std::string> ids;
  while (dataset.next(batch)) {
    for (int i = 0; i < batch.count; ++i) {
      ++videos;
      min_length = std::min(min_length, batch.lengths[static_cast<size_t>(i)]);
      max_length = std::max(max_length, batch.lengths[static_cast<size_t>(i)]);
      ids.insert(batch.video_ids[static_cast<size_t>(i)]);
      CHECK_FALSE(batch.labels_of(i).empty());
    }
  }
  CHECK(videos == 300);
  CHECK(ids.size() == 300);
  CHECK(min_length >= 5);
  CHECK(max_length <= 40);
  CHECK(max_length > min_length);

  SyntheticConfig changed = small_config(b.path());
  changed.seed = 4;
  generate_synthetic(changed);
  CHECK(read_bytes(a.file("train0000.tfrecord")) != read_bytes(b.file("train0000.tfrecord")));
}

TEST_CASE("video-level make-data writes tf.Example with mean_rgb and mean_audio") {
  TempDir dir;
  SyntheticConfig config = small_config(dir.path());
  config.level = Level::kVideo;
  config.videos = 20;
  generate_synthetic(config);
  DatasetConfig read;
  read.files = {dir.file("train*.tfrecord")};
  read.format.level = Level::kVideo;
  read.format.features = {{"mean_rgb", 1024}, {"mean_audio", 128}};
  read.format.num_classes = 60;
  read.batch_size = 100;
  Dataset dataset(read);
  Batch batch;
  REQUIRE(dataset.next(batch));
  CHECK(batch.count == 14);
  const auto [low, high] = std::minmax_element(batch.features.begin(),
                                                batch.features.begin() + static_cast<std::ptrdiff_t>(batch.count) * 1152);
  CHECK(*low >= -1.9921875f);
  CHECK(*high <= 2.0078125f);
}

TEST_CASE("order classes: the two orders show the same frames, reversed in time") {
  CHECK(is_order_class(6, 400));
  CHECK(is_order_class(7, 400));
  CHECK(is_order_class(26, 400));
  CHECK_FALSE(is_order_class(8, 400));
  CHECK_FALSE(is_order_class(6, 7));  // its partner would not exist
}

TEST_CASE("label statistics of synthetic data reproduce the Table-2 shape") {
  TempDir dir;
  SyntheticConfig config = small_config(dir.path());
  config.videos = 20000;
  config.classes = 400;
  config.min_frames = 1;
  config.max_frames = 2;
  config.split = {1, 0, 0};
  generate_synthetic(config);
  const LabelStats stats = compute_label_stats({dir.file("train0000.tfrecord"), dir.file("train0001.tfrecord")},
                                               LabelStatsOptions{}, [](const DataError&) {});
  CHECK(stats.videos == 20000);
  CHECK(stats.frame_level_videos == 20000);
  CHECK(stats.frames_min == 1);
  CHECK(stats.frames_max == 2);
  CHECK(static_cast<double>(stats.label_occurrences) / stats.videos == doctest::Approx(2.9).epsilon(0.05));
  const LabelRanking ranking = rank_labels(stats);
  CHECK(ranking.ranked.front().label == 0);
  // About 39% of the labels hold 95% of the occurrences.
  CHECK(static_cast<double>(ranking.labels_for_95_percent) / stats.num_classes == doctest::Approx(0.39).epsilon(0.1));
  CHECK(ranking.imbalance > 500);
  const std::string report = format_label_report(stats, ranking);
  CHECK(report.find("videos: 20000 (20000 frame-level, 0 video-level)") != std::string::npos);
  CHECK(report.find("labels holding 95% of occurrences:") != std::string::npos);
  const std::string csv = format_label_counts_csv(stats);
  CHECK(csv.rfind("class,count\n0,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == stats.num_classes + 1);
}

TEST_CASE("label statistics: --classes is checked and damaged records are skipped or reported") {
  TempDir dir;
  SyntheticConfig config = small_config(dir.path());
  config.videos = 50;
  config.split = {1, 0, 0};
  config.shards = 1;
  generate_synthetic(config);
  const std::vector<std::string> files = {dir.file("train0000.tfrecord")};
  LabelStatsOptions options;
  options.num_classes = 2;
  CHECK_THROWS_AS(compute_label_stats(files, options, [](const DataError&) {}), DataError);
  options.skip_corrupt = true;
  int skipped = 0;
  const LabelStats stats = compute_label_stats(files, options, [&](const DataError& error) {
    ++skipped;
    CHECK(error.kind() == DataErrorKind::kLabelRange);
    CHECK_FALSE(error.video_id().empty());
  });
  CHECK(skipped > 0);
  CHECK(stats.videos + skipped == 50);
}

TEST_CASE("label statistics: a garbage record is not named after the one before it; 0 frames is still frame level") {
  using namespace ynet::data::testing;
  TempDir dir;
  VideoSpec before;
  before.id = "Good";
  VideoSpec empty;
  empty.id = "NoFr";
  empty.frames = 0;  // feature lists present, with no frame: a frame-level record of a short video
  const std::string garbage("\x0a\xff\xff\xff\x0f", 5);  // a field announcing more bytes than follow
  const std::string path = dir.file("mixed.tfrecord");
  write_records(path, {make_record(before), garbage, make_record(empty)});
  LabelStatsOptions options;
  options.skip_corrupt = true;
  std::vector<DataError> skips;
  const LabelStats stats = compute_label_stats({path}, options, [&](const DataError& error) { skips.push_back(error); });
  REQUIRE(skips.size() == 1);
  CHECK(skips[0].record() == 1);
  CHECK_MESSAGE(skips[0].video_id().empty(), skips[0].what());
  CHECK(std::string(skips[0].what()).find("Good") == std::string::npos);
  CHECK(stats.videos == 2);
  CHECK(stats.frame_level_videos == 2);
  CHECK(stats.video_level_videos == 0);
}

TEST_CASE("SVG charts: ticks, series, escaping") {
  CHECK(ynet::report::nice_ticks(0, 100, 5) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(ynet::report::nice_ticks(0.5, 2.6, 4) == std::vector<double>{1, 2});
  ynet::report::LineChart chart;
  chart.title = "loss <train> & valid";
  chart.series.push_back({"train", {0, 1, 2}, {3, 2, 1}, ""});
  chart.series.push_back({"valid", {0, 1, 2}, {3.5, 2.5, 2}, "#000"});
  chart.references.push_back({true, 1.0, "epoch 1"});
  const std::string svg = ynet::report::render_svg(chart);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("loss &lt;train&gt; &amp; valid") != std::string::npos);
  CHECK(std::count(svg.begin(), svg.end(), '\n') > 10);
  size_t polylines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++polylines;
  CHECK(polylines == 2);
  CHECK(svg.find(">epoch 1<") != std::string::npos);
  chart.log_y = true;
  CHECK(ynet::report::render_svg(chart).find("<polyline") != std::string::npos);
}
