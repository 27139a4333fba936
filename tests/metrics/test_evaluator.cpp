// The metrics on the hand-checked example of DESIGN.md, the tie rule, and bad input.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/metrics/evaluator.h"
#include "runtime/metrics/json.h"
#include "runtime/metrics/tie_averaged_ap.h"

using namespace ynet::metrics;

namespace {

// Every arrangement of p positives among n tied slots, averaged: the definition the closed form
// in tie_group_precision_sum must match.
double enumerated_group_sum(int before, int positives_before, int n, int p) {
  double total = 0.0;
  int arrangements = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) != p) continue;
    ++arrangements;
    int hits = positives_before;
    for (int q = 0; q < n; ++q) {
      if ((mask >> q) & 1u) total += static_cast<double>(++hits) / (before + q + 1);
    }
  }
  return total / arrangements;
}

const std::vector<float> kExampleScores = {.9f, .8f, .1f, .05f, .2f, .7f, .6f, .3f, .4f, .1f, .3f, .95f};
const std::vector<int32_t> kExampleOffsets = {0, 2, 3, 4};
const std::vector<int32_t> kExampleLabels = {0, 2, 2, 1};

}  // namespace

TEST_CASE("hand-checked example: Hit@1 1/3, PERR 1/6, GAP 0.225, mAP 0.5, full-ranking mAP 0.7222") {
  StreamingEvaluator evaluator({.num_classes = 4, .top_k = 2, .full_map = true});
  evaluator.add(kExampleScores.data(), 3, {kExampleOffsets, kExampleLabels});
  const MetricResults r = evaluator.compute();
  MESSAGE(metrics_to_json(r));
  CHECK(r.videos == 3);
  CHECK(r.positives == 4);
  CHECK(r.classes_with_positives == 3);
  CHECK(r.hit_at_1 == doctest::Approx(1.0 / 3).epsilon(1e-12));
  CHECK(r.perr == doctest::Approx(1.0 / 6).epsilon(1e-12));
  CHECK(r.gap == doctest::Approx(0.225).epsilon(1e-12));
  CHECK(r.map == doctest::Approx(0.5).epsilon(1e-12));
  REQUIRE(r.full_map.has_value());
  CHECK(*r.full_map == doctest::Approx(13.0 / 18).epsilon(1e-12));
  CHECK(evaluator.stored_entries() == 3 * 2 + 3 * 4);
}

TEST_CASE("the example added one video at a time, computed twice, gives the same numbers") {
  StreamingEvaluator evaluator({.num_classes = 4, .top_k = 2});
  for (int v = 0; v < 3; ++v) {
    const std::vector<int32_t> offsets = {0, kExampleOffsets[v + 1] - kExampleOffsets[v]};
    const std::span<const int32_t> labels(kExampleLabels.data() + kExampleOffsets[v], static_cast<size_t>(offsets[1]));
    evaluator.add(kExampleScores.data() + 4 * v, 1, {offsets, labels});
    if (v == 1) {
      const MetricResults partial = evaluator.compute();  // first two videos: top-2 pool .9T .8F .7F .6T, 3 positives
      CHECK(partial.gap == doctest::Approx((1.0 + 2.0 / 4) / 3).epsilon(1e-12));
    }
  }
  const MetricResults first = evaluator.compute();
  const MetricResults second = evaluator.compute();
  CHECK(first.gap == doctest::Approx(0.225).epsilon(1e-12));
  CHECK(first.map == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(first.gap == second.gap);
  CHECK(first.map == second.map);
  CHECK_FALSE(first.full_map.has_value());
}

TEST_CASE("the closed form of a tie group's expected precision matches enumeration") {
  for (const auto& [before, positives_before, n, p] :
       std::vector<std::array<int, 4>>{{0, 0, 1, 1}, {0, 0, 4, 2}, {5, 2, 10, 4}, {3, 3, 7, 7}, {9, 0, 6, 1}, {2, 1, 8, 0}}) {
    CAPTURE(before);
    CAPTURE(n);
    CAPTURE(p);
    CHECK(tie_group_precision_sum(before, positives_before, n, p) ==
          doctest::Approx(enumerated_group_sum(before, positives_before, n, p)).epsilon(1e-12));
  }
}

TEST_CASE("ties: averaged in GAP, lower class first for a video's ranking") {
  // Two videos score every class 0.5: GAP's pool is one tie group of 4 entries with 2 positives
  // (positives 2 in total), so GAP = expected precision sum / 2 over all arrangements.
  const std::vector<float> scores = {.5f, .5f, .5f, .5f};
  const std::vector<int32_t> offsets = {0, 1, 2};
  const std::vector<int32_t> labels = {0, 0};
  StreamingEvaluator evaluator({.num_classes = 2, .top_k = 2});
  evaluator.add(scores.data(), 2, {offsets, labels});
  const MetricResults r = evaluator.compute();
  CHECK(r.gap == doctest::Approx(enumerated_group_sum(0, 0, 4, 2) / 2).epsilon(1e-12));
  // The top-1 (and PERR's top-1) is class 0 for both videos, as numpy's argmax picks it.
  CHECK(r.hit_at_1 == 1.0);
  CHECK(r.perr == 1.0);
}

TEST_CASE("PERR needs a positive score and looks beyond top_k; unlabelled videos count as zero") {
  // Video 0: labels {0,1,2}, scores rank 0,1,2 first but class 2 scores 0 -> 2/3. Video 1 has no
  // labels. top_k = 1 is smaller than video 0's label count.
  const std::vector<float> scores = {.9f, .8f, 0.f, -1.f, .3f, .2f, .1f, 0.f};
  const std::vector<int32_t> offsets = {0, 3, 3};
  const std::vector<int32_t> labels = {2, 0, 1};
  StreamingEvaluator evaluator({.num_classes = 4, .top_k = 1});
  evaluator.add(scores.data(), 2, {offsets, labels});
  const MetricResults r = evaluator.compute();
  CHECK(r.perr == doctest::Approx((2.0 / 3) / 2).epsilon(1e-12));
  CHECK(r.hit_at_1 == doctest::Approx(0.5));
  // Only class 0 of video 0 is kept: GAP = 1/3 (one of three positives found, at precision 1).
  CHECK(r.gap == doctest::Approx(1.0 / 3).epsilon(1e-12));
  CHECK(r.map == doctest::Approx(1.0 / 3).epsilon(1e-12));
}

TEST_CASE("a repeated label counts once, as in the starter's dense label vectors") {
  const std::vector<float> scores = {.9f, .1f};
  const std::vector<int32_t> offsets = {0, 3};
  const std::vector<int32_t> labels = {0, 0, 0};
  StreamingEvaluator evaluator({.num_classes = 2, .top_k = 20});
  evaluator.add(scores.data(), 1, {offsets, labels});
  const MetricResults r = evaluator.compute();
  CHECK(r.positives == 1);
  CHECK(r.perr == doctest::Approx(1.0));
  CHECK(r.gap == doctest::Approx(1.0));
  CHECK(r.top_k == 20);
}

TEST_CASE("no videos, or no positives, give zeros rather than NaN") {
  StreamingEvaluator evaluator({.num_classes = 3});
  MetricResults r = evaluator.compute();
  CHECK(r.videos == 0);
  CHECK(r.hit_at_1 == 0.0);
  CHECK(r.gap == 0.0);
  CHECK(r.map == 0.0);
  const std::vector<float> scores = {.1f, .2f, .3f};
  const std::vector<int32_t> offsets = {0, 0};
  evaluator.add(scores.data(), 1, {offsets, {}});
  r = evaluator.compute();
  CHECK(r.videos == 1);
  CHECK(r.gap == 0.0);
  CHECK(r.map == 0.0);
  CHECK(r.classes_with_positives == 0);
}

TEST_CASE("bad input is rejected with the video named, and leaves the evaluator unchanged") {
  StreamingEvaluator evaluator({.num_classes = 4, .top_k = 2});
  const std::vector<std::string> ids = {"v0", "v1", "v2"};
  SUBCASE("label beyond the class count") {
    const std::vector<int32_t> labels = {0, 2, 2, 4};
    CHECK_THROWS_WITH_AS(evaluator.add(kExampleScores.data(), 3, {kExampleOffsets, labels}, ids),
                         "video 'v2' (batch row 2): label 4 is outside the model's 4 classes [0, 4)",
                         std::invalid_argument);
  }
  SUBCASE("NaN score") {
    std::vector<float> scores = kExampleScores;
    scores[6] = std::nanf("");
    CHECK_THROWS_WITH_AS(evaluator.add(scores.data(), 3, {kExampleOffsets, kExampleLabels}),
                         "batch row 1: the score of class 2 is NaN", std::invalid_argument);
  }
  SUBCASE("offsets of the wrong length") {
    const std::vector<int32_t> offsets = {0, 2, 3};
    CHECK_THROWS_AS(evaluator.add(kExampleScores.data(), 3, {offsets, kExampleLabels}), std::invalid_argument);
  }
  SUBCASE("offsets past the label ids") {
    const std::vector<int32_t> offsets = {0, 2, 3, 5};
    CHECK_THROWS_AS(evaluator.add(kExampleScores.data(), 3, {offsets, kExampleLabels}), std::invalid_argument);
  }
  SUBCASE("decreasing offsets") {
    const std::vector<int32_t> offsets = {0, 3, 2, 4};
    CHECK_THROWS_AS(evaluator.add(kExampleScores.data(), 3, {offsets, kExampleLabels}), std::invalid_argument);
  }
  SUBCASE("video ids of the wrong count") {
    const std::vector<std::string> two = {"a", "b"};
    CHECK_THROWS_AS(evaluator.add(kExampleScores.data(), 3, {kExampleOffsets, kExampleLabels}, two),
                    std::invalid_argument);
  }
  CHECK(evaluator.videos() == 0);
  CHECK(evaluator.stored_entries() == 0);
  evaluator.add(kExampleScores.data(), 3, {kExampleOffsets, kExampleLabels});
  CHECK(evaluator.compute().gap == doctest::Approx(0.225).epsilon(1e-12));
}

TEST_CASE("invalid options are rejected") {
  CHECK_THROWS_AS(StreamingEvaluator({.num_classes = 0}), std::invalid_argument);
  CHECK_THROWS_AS(StreamingEvaluator({.num_classes = 5, .top_k = 0}), std::invalid_argument);
  CHECK_THROWS_AS(StreamingEvaluator({.num_classes = 5, .top_k = 20, .full_map = false, .chunk_entries = 0}),
                  std::invalid_argument);
}
