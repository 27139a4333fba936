#pragma once
// Label statistics of a set of TFRecord files (the paper's Table 2 and Figure 5): videos, frames,
// labels per video, label counts, the imbalance ratio and how many labels hold 95% of occurrences.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/data/compression.h"
#include "runtime/data/data_error.h"

namespace ynet::data {

struct LabelStatsOptions {
  std::string id_key = "id";
  std::string labels_key = "labels";
  int num_classes = 0;  // 0: the largest label + 1
  bool verify_crc = true;
  bool skip_corrupt = false;
  Compression compression = Compression::kAuto;
  int threads = 1;  // files are read in parallel; results do not depend on it
};

struct LabelStats {
  int64_t files = 0;
  int64_t videos = 0;
  int64_t frame_level_videos = 0;  // records with feature lists (SequenceExample with frames)
  int64_t video_level_videos = 0;  // records without (Example, or SequenceExample without frames)
  int64_t videos_without_id = 0;
  int64_t frames_total = 0;
  int frames_min = 0;
  int frames_max = 0;
  int labels_min = 0;
  int labels_max = 0;
  int64_t label_occurrences = 0;
  int num_classes = 0;
  std::vector<int64_t> counts;  // by label id, num_classes entries
  int64_t skipped_records = 0;
};

struct RankedLabel {
  int label = 0;
  int64_t count = 0;
};

struct LabelRanking {
  std::vector<RankedLabel> ranked;  // by count, descending; ties by label id
  double imbalance = 0.0;           // most / least frequent among labels that occur
  int labels_occurring = 0;
  int labels_for_95_percent = 0;
};

// Reads every record of `files`. Throws DataError at the first damaged record unless skip_corrupt
// (then `on_skip` sees each, in file order). A label >= num_classes (when given) is damage.
LabelStats compute_label_stats(const std::vector<std::string>& files, const LabelStatsOptions& options,
                               const std::function<void(const DataError&)>& on_skip);

LabelRanking rank_labels(const LabelStats& stats);

// The Table-2 style report (several lines of text).
std::string format_label_report(const LabelStats& stats, const LabelRanking& ranking);

// "class,count" lines for every class (with a header line), read by the class-balanced loss.
std::string format_label_counts_csv(const LabelStats& stats);

}  // namespace ynet::data
