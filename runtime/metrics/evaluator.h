#pragma once
// Streaming evaluation with the YouTube-8M starter-code metrics (definitions and tie rules: see
// docs/metrics.md). Each video leaves behind only its top-k (score, class, is_true) entries, so
// memory is 8 bytes · videos · top_k (about 256 MB for 1.6M videos at top_k 20) plus the per-class
// counters; the optional full-ranking mAP keeps every score and costs 8 bytes · videos · classes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/metrics/tie_averaged_ap.h"
#include "runtime/metrics/top_k.h"

namespace ynet::metrics {

struct EvaluatorOptions {
  int num_classes = 0;
  // Predictions kept per video for GAP and mAP; the starter code uses 20.
  int top_k = 20;
  // Also compute `full_map`, the per-class AP over every video's score (not just the top-k ones).
  bool full_map = false;
  // Entries per storage chunk; only tests change it, to exercise the merge of many chunks.
  size_t chunk_entries = EntryStore::kDefaultChunkEntries;
};

struct MetricResults {
  int64_t videos = 0;
  int64_t positives = 0;  // (video, true label) pairs
  int classes_with_positives = 0;
  int top_k = 0;
  double hit_at_1 = 0.0;
  double perr = 0.0;
  double gap = 0.0;
  double map = 0.0;  // the starter's mAP: per class over its top-k entries, classes with positives
  std::optional<double> full_map;
};

// Labels of a batch in sparse form: video b's labels are ids[offsets[b], offsets[b+1]).
struct SparseLabels {
  std::span<const int32_t> offsets;  // batch size + 1 entries, non-decreasing
  std::span<const int32_t> ids;
};

class StreamingEvaluator {
 public:
  explicit StreamingEvaluator(const EvaluatorOptions& options);

  // Adds a batch: scores is [batch, num_classes] row-major. video_ids, if given (one per row), only
  // name videos in error messages. Throws std::invalid_argument for a label outside the class
  // range, a NaN score or inconsistent sizes, before changing any state. Repeated labels of a video
  // count once, as in the starter's dense label vectors.
  void add(const float* scores, int batch, const SparseLabels& labels,
           std::span<const std::string> video_ids = {});

  // Metrics over everything added so far. Reorders stored entries (which changes no result), so
  // more batches may be added afterwards.
  MetricResults compute();

  int64_t videos() const { return videos_; }
  size_t stored_entries() const { return top_entries_.size() + all_entries_.size(); }

 private:
  void validate(const float* scores, int batch, const SparseLabels& labels,
                std::span<const std::string> video_ids) const;
  void add_video(const float* row, std::span<const int32_t> labels);

  EvaluatorOptions options_;
  TopKSelector selector_;
  std::vector<uint8_t> is_true_;  // per class, set only while one video is being added
  std::vector<int64_t> class_positives_;
  int64_t videos_ = 0;
  int64_t positives_ = 0;
  int64_t hits_at_1_ = 0;
  double perr_sum_ = 0.0;
  EntryStore top_entries_;
  EntryStore all_entries_;
};

}  // namespace ynet::metrics
