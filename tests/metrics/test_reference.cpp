// The streaming evaluator against a slow, direct re-computation of every metric on random data
// (dense score matrix, full sorts, tie groups resolved by enumerating every arrangement).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "runtime/metrics/evaluator.h"

using namespace ynet::metrics;

namespace {

struct Dataset {
  int classes = 0;
  int videos = 0;
  std::vector<float> scores;                 // [videos, classes]
  std::vector<std::vector<int32_t>> labels;  // may repeat a label, may be empty
};

struct Shape {
  int classes;
  int videos;
  int top_k;
  int score_levels;  // few levels force many ties
  int max_labels;
};

Dataset random_dataset(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  Dataset d;
  d.classes = shape.classes;
  d.videos = shape.videos;
  std::uniform_int_distribution<int> level(0, shape.score_levels - 1);
  std::uniform_int_distribution<int> label(0, shape.classes - 1);
  std::uniform_int_distribution<int> label_count(0, shape.max_labels);
  for (int i = 0; i < shape.videos * shape.classes; ++i) {
    // A quarter of the levels are zero or negative, which PERR must not count as hits.
    d.scores.push_back(static_cast<float>(level(rng) - shape.score_levels / 4) / static_cast<float>(shape.score_levels));
  }
  for (int v = 0; v < shape.videos; ++v) {
    std::vector<int32_t> ids;
    const int n = v % 5 == 0 ? 0 : label_count(rng);
    for (int i = 0; i < n; ++i) ids.push_back(label(rng));
    d.labels.push_back(ids);
  }
  return d;
}

// Expected non-interpolated AP when tied scores are in uniformly random order: every arrangement
// of each tie group is enumerated and averaged.
double expected_ap(std::vector<std::pair<float, bool>> items, int64_t total_positives) {
  if (total_positives == 0) return 0.0;
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double sum = 0.0;
  int before = 0;
  int positives_before = 0;
  for (size_t start = 0; start < items.size();) {
    size_t end = start;
    int p = 0;
    while (end < items.size() && items[end].first == items[start].first) p += items[end++].second ? 1 : 0;
    const int n = static_cast<int>(end - start);
    if (n > 20) FAIL("tie group of " << n << " entries is too large to enumerate");
    double group = 0.0;
    int arrangements = 0;
    for (uint32_t mask = 0; mask < (1u << n); ++mask) {
      if (__builtin_popcount(mask) != p) continue;
      ++arrangements;
      int hits = positives_before;
      for (int q = 0; q < n; ++q) {
        if ((mask >> q) & 1u) group += static_cast<double>(++hits) / (before + q + 1);
      }
    }
    sum += group / arrangements;
    before += n;
    positives_before += p;
    start = end;
  }
  return sum / static_cast<double>(total_positives);
}

MetricResults reference_metrics(const Dataset& d, int top_k) {
  MetricResults r;
  r.videos = d.videos;
  r.top_k = top_k;
  std::vector<std::vector<std::pair<float, bool>>> class_top(static_cast<size_t>(d.classes));
  std::vector<std::vector<std::pair<float, bool>>> class_all(static_cast<size_t>(d.classes));
  std::vector<int64_t> class_positives(static_cast<size_t>(d.classes), 0);
  std::vector<std::pair<float, bool>> pooled;
  double hits_at_1 = 0.0;
  double perr_sum = 0.0;
  for (int v = 0; v < d.videos; ++v) {
    const float* row = &d.scores[static_cast<size_t>(v * d.classes)];
    const std::set<int32_t> truth(d.labels[static_cast<size_t>(v)].begin(), d.labels[static_cast<size_t>(v)].end());
    for (const int32_t c : truth) ++class_positives[static_cast<size_t>(c)];
    r.positives += static_cast<int64_t>(truth.size());
    std::vector<int> order(static_cast<size_t>(d.classes));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return row[a] > row[b]; });
    hits_at_1 += truth.count(order[0]) ? 1.0 : 0.0;
    if (!truth.empty()) {
      int hits = 0;
      for (size_t i = 0; i < truth.size(); ++i) hits += (row[order[i]] > 0 && truth.count(order[i])) ? 1 : 0;
      perr_sum += static_cast<double>(hits) / static_cast<double>(truth.size());
    }
    for (int i = 0; i < std::min(top_k, d.classes); ++i) {
      const int c = order[static_cast<size_t>(i)];
      pooled.emplace_back(row[c], truth.count(c) > 0);
      class_top[static_cast<size_t>(c)].emplace_back(row[c], truth.count(c) > 0);
    }
    for (int c = 0; c < d.classes; ++c) class_all[static_cast<size_t>(c)].emplace_back(row[c], truth.count(c) > 0);
  }
  r.hit_at_1 = hits_at_1 / d.videos;
  r.perr = perr_sum / d.videos;
  r.gap = expected_ap(pooled, r.positives);
  double map_sum = 0.0;
  double full_map_sum = 0.0;
  for (int c = 0; c < d.classes; ++c) {
    const int64_t positives = class_positives[static_cast<size_t>(c)];
    if (positives == 0) continue;
    ++r.classes_with_positives;
    map_sum += expected_ap(class_top[static_cast<size_t>(c)], positives);
    full_map_sum += expected_ap(class_all[static_cast<size_t>(c)], positives);
  }
  r.map = r.classes_with_positives ? map_sum / r.classes_with_positives : 0.0;
  r.full_map = r.classes_with_positives ? full_map_sum / r.classes_with_positives : 0.0;
  return r;
}

// Feeds videos in the given order, `batch` at a time.
MetricResults streamed(const Dataset& d, const std::vector<int>& order, int batch, int top_k, size_t chunk_entries) {
  StreamingEvaluator evaluator(
      {.num_classes = d.classes, .top_k = top_k, .full_map = true, .chunk_entries = chunk_entries});
  std::vector<float> scores;
  std::vector<int32_t> offsets;
  std::vector<int32_t> ids;
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch)) {
    scores.clear();
    offsets.assign(1, 0);
    ids.clear();
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch));
    for (size_t i = start; i < end; ++i) {
      const auto v = static_cast<size_t>(order[i]);
      scores.insert(scores.end(), d.scores.begin() + static_cast<ptrdiff_t>(v * static_cast<size_t>(d.classes)),
                    d.scores.begin() + static_cast<ptrdiff_t>((v + 1) * static_cast<size_t>(d.classes)));
      ids.insert(ids.end(), d.labels[v].begin(), d.labels[v].end());
      offsets.push_back(static_cast<int32_t>(ids.size()));
    }
    evaluator.add(scores.data(), static_cast<int>(end - start), {offsets, ids});
  }
  return evaluator.compute();
}

void check_close(const MetricResults& got, const MetricResults& want) {
  CHECK(got.videos == want.videos);
  CHECK(got.positives == want.positives);
  CHECK(got.classes_with_positives == want.classes_with_positives);
  CHECK(got.hit_at_1 == doctest::Approx(want.hit_at_1).epsilon(1e-12));
  CHECK(got.perr == doctest::Approx(want.perr).epsilon(1e-12));
  CHECK(got.gap == doctest::Approx(want.gap).epsilon(1e-12));
  CHECK(got.map == doctest::Approx(want.map).epsilon(1e-12));
  REQUIRE(got.full_map.has_value());
  CHECK(*got.full_map == doctest::Approx(*want.full_map).epsilon(1e-12));
}

void check_identical(const MetricResults& a, const MetricResults& b) {
  CHECK(a.hit_at_1 == b.hit_at_1);
  CHECK(a.perr == b.perr);
  CHECK(a.gap == b.gap);
  CHECK(a.map == b.map);
  CHECK(a.full_map == b.full_map);
}

}  // namespace

TEST_CASE("random data: every metric matches the direct re-computation, for any batching and video order") {
  const std::vector<Shape> shapes = {
      {.classes = 6, .videos = 12, .top_k = 3, .score_levels = 8, .max_labels = 3},      // heavy ties
      {.classes = 13, .videos = 60, .top_k = 5, .score_levels = 256, .max_labels = 4},   // some ties
      {.classes = 10, .videos = 40, .top_k = 2, .score_levels = 512, .max_labels = 7},   // labels > top_k
      {.classes = 50, .videos = 400, .top_k = 20, .score_levels = 1 << 20, .max_labels = 6},
      {.classes = 4, .videos = 9, .top_k = 9, .score_levels = 3, .max_labels = 2},       // top_k > classes
  };
  uint32_t seed = 1;
  for (const Shape& shape : shapes) {
    for (int repeat = 0; repeat < 3; ++repeat, ++seed) {
      CAPTURE(shape.classes);
      CAPTURE(shape.videos);
      CAPTURE(seed);
      const Dataset d = random_dataset(shape, seed);
      const MetricResults want = reference_metrics(d, shape.top_k);
      std::vector<int> order(static_cast<size_t>(d.videos));
      std::iota(order.begin(), order.end(), 0);
      const MetricResults whole = streamed(d, order, d.videos, shape.top_k, EntryStore::kDefaultChunkEntries);
      check_close(whole, want);
      // Different batch sizes and chunk sizes (so the chunk merge runs) must give bit-identical
      // results: nothing depends on how videos were batched or entries stored.
      check_identical(streamed(d, order, 1, shape.top_k, 3), whole);
      check_identical(streamed(d, order, 7, shape.top_k, 64), whole);
      // Another video order changes only the order PERR's per-video terms are summed in.
      std::shuffle(order.begin(), order.end(), std::mt19937(seed));
      MetricResults shuffled = streamed(d, order, 5, shape.top_k, 17);
      CHECK(shuffled.perr == doctest::Approx(whole.perr).epsilon(1e-14));
      shuffled.perr = whole.perr;
      check_identical(shuffled, whole);
    }
  }
}

TEST_CASE("the tie-heavy data really exercises the tie rule") {
  // If ties with mixed truth were absent, ranking positives first or last among ties would not
  // move GAP and the tie handling above would go untested.
  const Shape shape{.classes = 6, .videos = 12, .top_k = 3, .score_levels = 8, .max_labels = 3};
  const Dataset d = random_dataset(shape, 1);
  const MetricResults want = reference_metrics(d, shape.top_k);
  std::vector<std::pair<float, bool>> pooled;
  for (int v = 0; v < d.videos; ++v) {
    const float* row = &d.scores[static_cast<size_t>(v * d.classes)];
    const std::set<int32_t> truth(d.labels[static_cast<size_t>(v)].begin(), d.labels[static_cast<size_t>(v)].end());
    std::vector<int> order(static_cast<size_t>(d.classes));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return row[a] > row[b]; });
    for (int i = 0; i < shape.top_k; ++i) pooled.emplace_back(row[order[static_cast<size_t>(i)]], truth.count(order[static_cast<size_t>(i)]) > 0);
  }
  const auto ap_with_ties = [&](bool positives_first) {
    std::sort(pooled.begin(), pooled.end(), [&](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : (positives_first ? a.second > b.second : a.second < b.second);
    });
    double sum = 0.0;
    int hits = 0;
    for (size_t i = 0; i < pooled.size(); ++i) {
      if (pooled[i].second) sum += static_cast<double>(++hits) / static_cast<double>(i + 1);
    }
    return sum / static_cast<double>(want.positives);
  };
  CHECK(ap_with_ties(true) > want.gap + 1e-6);
  CHECK(ap_with_ties(false) < want.gap - 1e-6);
}
