#include "runtime/data/label_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "runtime/data/example_view.h"
#include "runtime/data/record_reader.h"

namespace ynet::data {
namespace {

// Without --classes the class count is the largest label + 1; a label beyond this is taken for
// damage rather than a reason to allocate gigabytes of counters.
constexpr int64_t kMaxInferredClasses = int64_t{1} << 24;

struct FileStats {
  LabelStats stats;
  std::vector<DataError> skipped;
  std::exception_ptr error;
};

void add_video(LabelStats& stats, int frames, bool frame_level, const std::vector<int64_t>& labels) {
  ++stats.videos;
  if (frame_level) {
    stats.frames_min = stats.frame_level_videos == 0 ? frames : std::min(stats.frames_min, frames);
    stats.frames_max = std::max(stats.frames_max, frames);
    stats.frames_total += frames;
    ++stats.frame_level_videos;
  } else {
    ++stats.video_level_videos;
  }
  const int count = static_cast<int>(labels.size());
  stats.labels_min = stats.videos == 1 ? count : std::min(stats.labels_min, count);
  stats.labels_max = std::max(stats.labels_max, count);
  stats.label_occurrences += count;
  for (const int64_t label : labels) {
    if (static_cast<size_t>(label) >= stats.counts.size()) stats.counts.resize(static_cast<size_t>(label) + 1);
    ++stats.counts[static_cast<size_t>(label)];
  }
}

void merge(LabelStats& into, const LabelStats& from) {
  if (from.frame_level_videos > 0) {
    into.frames_min = into.frame_level_videos == 0 ? from.frames_min : std::min(into.frames_min, from.frames_min);
    into.frames_max = std::max(into.frames_max, from.frames_max);
  }
  if (from.videos > 0) {
    into.labels_min = into.videos == 0 ? from.labels_min : std::min(into.labels_min, from.labels_min);
    into.labels_max = std::max(into.labels_max, from.labels_max);
  }
  into.videos += from.videos;
  into.frame_level_videos += from.frame_level_videos;
  into.video_level_videos += from.video_level_videos;
  into.videos_without_id += from.videos_without_id;
  into.frames_total += from.frames_total;
  into.label_occurrences += from.label_occurrences;
  into.skipped_records += from.skipped_records;
  if (from.counts.size() > into.counts.size()) into.counts.resize(from.counts.size());
  for (size_t i = 0; i < from.counts.size(); ++i) into.counts[i] += from.counts[i];
}

// Reads one record's id, labels and frame count (the longest feature list).
void summarize(std::string_view record, const LabelStatsOptions& options, ExampleView& view,
               std::vector<std::string_view>& scratch, std::string& id, std::vector<int64_t>& labels, int& frames) {
  view.parse(record);
  id.clear();
  labels.clear();
  frames = 0;
  if (const MapEntryView* entry = view.find_context(options.id_key)) {
    const FeatureValueView value = parse_feature(entry->value);
    if (value.kind == ValueKind::kBytes) {
      scratch.clear();
      read_bytes_list(value.list, scratch);
      if (!scratch.empty()) id.assign(scratch.front());
    }
  }
  if (const MapEntryView* entry = view.find_context(options.labels_key)) {
    const FeatureValueView value = parse_feature(entry->value);
    if (value.kind == ValueKind::kInt64) {
      read_int64_list(value.list, labels);
    } else if (value.kind != ValueKind::kNone) {
      throw DecodeError(DataErrorKind::kWrongType, id,
                        fmt::format("labels feature '{}' holds {}, expected int64_list", options.labels_key,
                                    to_string(value.kind)));
    }
  }
  for (const int64_t label : labels) {
    const int64_t limit = options.num_classes > 0 ? options.num_classes : kMaxInferredClasses;
    if (label < 0 || label >= limit) {
      throw DecodeError(DataErrorKind::kLabelRange, id,
                        options.num_classes > 0
                            ? fmt::format("label {} out of range [0, {})", label, options.num_classes)
                            : fmt::format("label {} out of range [0, {}) (give --classes for more)", label, limit));
    }
  }
  for (const MapEntryView& list : view.feature_lists()) {
    scratch.clear();
    read_feature_list(list.value, scratch);
    frames = std::max(frames, static_cast<int>(scratch.size()));
  }
}

void scan_file(const std::string& path, const LabelStatsOptions& options, FileStats& out) {
  ExampleView view;
  std::vector<std::string_view> scratch;
  std::string id;
  std::vector<int64_t> labels;
  const auto skip_or_throw = [&](const DataError& error) {
    if (!options.skip_corrupt) throw error;
    out.skipped.push_back(error);
    ++out.stats.skipped_records;
  };
  std::unique_ptr<RecordReader> reader;
  try {
    reader = std::make_unique<RecordReader>(path, RecordReaderOptions{options.compression, options.verify_crc});
  } catch (const DataError& error) {
    skip_or_throw(error);
    return;
  }
  for (;;) {
    std::string_view record;
    try {
      if (!reader->next(record)) break;
    } catch (const DataError& error) {
      skip_or_throw(error);
      continue;  // after a fatal error the reader reports the end of the file
    }
    int frames = 0;
    id.clear();  // a record that fails before its id is read must not be named after the previous one
    try {
      summarize(record, options, view, scratch, id, labels, frames);
    } catch (const DecodeError& error) {
      skip_or_throw(DataError(error.kind(), path, reader->record_offset(), reader->record_index(),
                              error.video_id().empty() ? id : error.video_id(), error.what())
                        .with_bytes_lost(record.size() + kRecordFraming));
      continue;
    }
    if (id.empty()) ++out.stats.videos_without_id;
    add_video(out.stats, frames, !view.feature_lists().empty(), labels);  // feature lists of 0 frames: frame level still
  }
}

}  // namespace

LabelStats compute_label_stats(const std::vector<std::string>& files, const LabelStatsOptions& options,
                               const std::function<void(const DataError&)>& on_skip) {
  std::vector<FileStats> per_file(files.size());
  std::atomic<size_t> next_file{0};
  const auto work = [&] {
    for (size_t i = next_file++; i < files.size(); i = next_file++) {
      try {
        scan_file(files[i], options, per_file[i]);
      } catch (...) {
        per_file[i].error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  const size_t thread_count = std::clamp<size_t>(static_cast<size_t>(std::max(options.threads, 1)), 1, files.size());
  for (size_t t = 1; t < thread_count; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();

  LabelStats total;
  total.files = static_cast<int64_t>(files.size());
  for (FileStats& file : per_file) {
    for (const DataError& error : file.skipped) on_skip(error);
    if (file.error) std::rethrow_exception(file.error);
    merge(total, file.stats);
  }
  total.num_classes = options.num_classes > 0 ? options.num_classes : static_cast<int>(total.counts.size());
  total.counts.resize(static_cast<size_t>(total.num_classes));
  return total;
}

LabelRanking rank_labels(const LabelStats& stats) {
  LabelRanking ranking;
  for (int label = 0; label < stats.num_classes; ++label) {
    ranking.ranked.push_back({label, stats.counts[static_cast<size_t>(label)]});
  }
  std::stable_sort(ranking.ranked.begin(), ranking.ranked.end(),
                   [](const RankedLabel& a, const RankedLabel& b) { return a.count > b.count; });
  int64_t least = 0;
  for (const RankedLabel& entry : ranking.ranked) {
    if (entry.count > 0) {
      ++ranking.labels_occurring;
      least = entry.count;
    }
  }
  if (least > 0) ranking.imbalance = static_cast<double>(ranking.ranked.front().count) / static_cast<double>(least);
  int64_t running = 0;
  for (size_t i = 0; i < ranking.ranked.size() && stats.label_occurrences > 0; ++i) {
    running += ranking.ranked[i].count;
    // Integer test of running / total >= 0.95.
    if (running * 100 >= stats.label_occurrences * 95) {
      ranking.labels_for_95_percent = static_cast<int>(i + 1);
      break;
    }
  }
  return ranking;
}

std::string format_label_report(const LabelStats& stats, const LabelRanking& ranking) {
  std::string out;
  out += fmt::format("files: {}\n", stats.files);
  out += fmt::format("videos: {} ({} frame-level, {} video-level)\n", stats.videos, stats.frame_level_videos,
                     stats.video_level_videos);
  if (stats.videos_without_id > 0) {
    out += fmt::format("videos without an id: {} (check --id-key)\n", stats.videos_without_id);
  }
  if (stats.frame_level_videos > 0) {
    out += fmt::format("frames per video: min {}, mean {:.2f}, max {} ({} frames in all)\n", stats.frames_min,
                       static_cast<double>(stats.frames_total) / static_cast<double>(stats.frame_level_videos),
                       stats.frames_max, stats.frames_total);
  }
  if (stats.videos > 0) {
    out += fmt::format("labels per video: min {}, mean {:.2f}, max {}\n", stats.labels_min,
                       static_cast<double>(stats.label_occurrences) / static_cast<double>(stats.videos),
                       stats.labels_max);
  }
  out += fmt::format("label occurrences: {} over {} classes ({} occur at least once)\n", stats.label_occurrences,
                     stats.num_classes, ranking.labels_occurring);
  if (ranking.ranked.empty() || stats.label_occurrences == 0) return out;

  out += "\nLabel counts (Table 2)\n";
  out += fmt::format("  {:>8}  {:>8}  {:>12}  {:>12}\n", "rank", "label", "count", "fraction");
  const auto row = [&](size_t rank) {
    const RankedLabel& entry = ranking.ranked[rank];
    out += fmt::format("  {:>8}  {:>8}  {:>12}  {:>12.3e}\n", rank + 1, entry.label, entry.count,
                       static_cast<double>(entry.count) / static_cast<double>(stats.label_occurrences));
  };
  const size_t n = ranking.ranked.size();
  std::vector<size_t> shown;
  for (size_t rank : {size_t{0}, size_t{1}, size_t{2}, n / 2, n - 2, n - 1}) {
    if (rank < n && std::find(shown.begin(), shown.end(), rank) == shown.end()) shown.push_back(rank);
  }
  std::sort(shown.begin(), shown.end());
  for (size_t i = 0; i < shown.size(); ++i) {
    if (i > 0 && shown[i] != shown[i - 1] + 1) out += fmt::format("  {:>8}  {:>8}  {:>12}  {:>12}\n", "...", "...", "...", "...");
    row(shown[i]);
  }
  out += "\n";
  if (ranking.labels_occurring < stats.num_classes) {
    out += fmt::format("ratio most/least frequent: {:.1f} (over the {} labels that occur; {} never occur)\n",
                       ranking.imbalance, ranking.labels_occurring, stats.num_classes - ranking.labels_occurring);
  } else {
    out += fmt::format("ratio most/least frequent: {:.1f}\n", ranking.imbalance);
  }
  out += fmt::format("labels holding 95% of occurrences: {} of {} ({:.1f}%)\n", ranking.labels_for_95_percent,
                     stats.num_classes, 100.0 * ranking.labels_for_95_percent / stats.num_classes);
  return out;
}

std::string format_label_counts_csv(const LabelStats& stats) {
  std::string out = "class,count\n";
  for (int label = 0; label < stats.num_classes; ++label) {
    out += fmt::format("{},{}\n", label, stats.counts[static_cast<size_t>(label)]);
  }
  return out;
}

}  // namespace ynet::data
