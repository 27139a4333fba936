// The Kaggle predictions file: round trip through the writer and the reader, and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "runtime/metrics/predictions_csv.h"

using namespace ynet::metrics;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed afterwards.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    path = fs::temp_directory_path() / ("ynet_metrics_csv_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("writer output: header, rows sorted by score, 6 decimals, ties to the lower class") {
  ScratchDir dir;
  const fs::path out = dir.path / "p.csv";
  PredictionWriter writer(out, 4, 3);
  const std::vector<float> scores = {.1f, .75f, .5f, .75f, 1.f, 0.f, 0.f, 0.f};
  const std::vector<std::string> ids = {"Ab12", "zz-9_"};
  writer.add(scores.data(), ids);
  CHECK_FALSE(fs::exists(out));
  writer.finish();
  CHECK(writer.rows() == 2);
  CHECK(slurp(out) ==
        "VideoId,LabelConfidencePairs\n"
        "Ab12,1 0.750000 3 0.750000 2 0.500000\n"
        "zz-9_,0 1.000000 1 0.000000 2 0.000000\n");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);  // no temporary left
}

TEST_CASE("random scores survive the round trip, in several batches") {
  ScratchDir dir;
  const fs::path out = dir.path / "round.csv";
  constexpr int kClasses = 37;
  constexpr int kTopK = 20;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> score(0.f, 1.f);
  std::vector<std::vector<float>> all_scores;
  std::vector<std::string> all_ids;
  {
    PredictionWriter writer(out, kClasses, kTopK);
    for (int batch = 0; batch < 5; ++batch) {
      std::vector<float> scores;
      std::vector<std::string> ids;
      for (int v = 0; v < 3 + batch; ++v) {
        ids.push_back("vid" + std::to_string(all_ids.size() + ids.size()));
        std::vector<float> row(kClasses);
        for (float& x : row) x = score(rng);
        scores.insert(scores.end(), row.begin(), row.end());
        all_scores.push_back(row);
      }
      writer.add(scores.data(), ids);
      all_ids.insert(all_ids.end(), ids.begin(), ids.end());
    }
    writer.finish();
  }
  const std::vector<PredictionRow> rows = read_predictions_csv(out);
  REQUIRE(rows.size() == all_ids.size());
  for (size_t v = 0; v < rows.size(); ++v) {
    CAPTURE(v);
    CHECK(rows[v].video_id == all_ids[v]);
    CHECK(rows[v].line == static_cast<int>(v) + 2);
    REQUIRE(rows[v].predictions.size() == static_cast<size_t>(kTopK));
    std::vector<float> sorted = all_scores[v];
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (size_t i = 0; i < rows[v].predictions.size(); ++i) {
      const auto [label, value] = rows[v].predictions[i];
      REQUIRE(label >= 0);
      REQUIRE(label < kClasses);
      CHECK(std::abs(value - sorted[i]) <= 5e-7f);
      CHECK(std::abs(value - all_scores[v][static_cast<size_t>(label)]) <= 5e-7f);
      if (i > 0) CHECK(value <= rows[v].predictions[i - 1].second);
    }
  }
}

TEST_CASE("the writer rejects ids it cannot write and keeps an existing file when not finished") {
  ScratchDir dir;
  const fs::path out = dir.path / "keep.csv";
  { std::ofstream(out) << "old contents\n"; }
  const std::vector<float> scores = {.5f, .25f};
  {
    PredictionWriter writer(out, 2, 1);
    const std::vector<std::string> with_comma = {"a,b"};
    CHECK_THROWS_AS(writer.add(scores.data(), with_comma), std::invalid_argument);
    const std::vector<std::string> empty = {""};
    CHECK_THROWS_AS(writer.add(scores.data(), empty), std::invalid_argument);
    const std::vector<float> nan_scores = {std::nanf(""), .1f};
    const std::vector<std::string> fine = {"ok"};
    CHECK_THROWS_WITH_AS(writer.add(nan_scores.data(), fine), "video 'ok': the score of class 0 is NaN",
                         std::invalid_argument);
    writer.add(scores.data(), fine);
    CHECK(writer.rows() == 1);
  }
  CHECK(slurp(out) == "old contents\n");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);  // no temporary left
  CHECK_THROWS_AS(PredictionWriter(dir.path / "no_such_dir" / "p.csv", 2, 1), std::runtime_error);
  CHECK_THROWS_AS(PredictionWriter(out, 2, 0), std::invalid_argument);
}

TEST_CASE("reader errors name the line") {
  const auto error_of = [](std::string_view text) {
    try {
      parse_predictions_csv(text, "p.csv");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("") == "p.csv:1: empty file; expected the header 'VideoId,LabelConfidencePairs'");
  CHECK(error_of("VideoId,Labels\n") == "p.csv:1: expected the header 'VideoId,LabelConfidencePairs'");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1 0.5\nb,1\n") ==
        "p.csv:3: 1 fields after the id; labels and scores come in pairs");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,x 0.5\n") ==
        "p.csv:2: 'x' is not a class label (a non-negative integer)");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,-1 0.5\n") ==
        "p.csv:2: '-1' is not a class label (a non-negative integer)");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1 0.5z\n") == "p.csv:2: '0.5z' is not a score (a decimal number)");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1  0.5\n") ==
        "p.csv:2: two spaces in a row, or a leading or trailing space");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1 0.5 \n") == "p.csv:2: trailing space");
  CHECK(error_of("VideoId,LabelConfidencePairs\nno comma\n") ==
        "p.csv:2: expected 'VideoId,LabelConfidencePairs', found no comma");
  CHECK(error_of("VideoId,LabelConfidencePairs\n,1 0.5\n") == "p.csv:2: empty video id");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1 0.5\n\nb,2 0.1\n") == "p.csv:3: empty line");
  CHECK(error_of("VideoId,LabelConfidencePairs\na,1 0.5\nb,2 0.1\na,3 0.2\n") ==
        "p.csv:4: video 'a' already appeared on line 2");
  CHECK_THROWS_AS(read_predictions_csv("/nonexistent/predictions.csv"), std::runtime_error);
}

TEST_CASE("the reader accepts CRLF, a missing final newline and a video without predictions") {
  const auto rows = parse_predictions_csv("VideoId,LabelConfidencePairs\r\na,3 0.25 1 0.125\r\nb,", "p.csv");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].video_id == "a");
  REQUIRE(rows[0].predictions.size() == 2);
  CHECK(rows[0].predictions[0] == std::pair<int32_t, float>{3, 0.25f});
  CHECK(rows[0].predictions[1] == std::pair<int32_t, float>{1, 0.125f});
  CHECK(rows[1].video_id == "b");
  CHECK(rows[1].predictions.empty());
  CHECK(rows[1].line == 3);
}
