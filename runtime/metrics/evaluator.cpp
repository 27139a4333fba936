#include "runtime/metrics/evaluator.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace ynet::metrics {
namespace {

std::string describe_video(int row, std::span<const std::string> video_ids) {
  if (video_ids.empty()) return fmt::format("batch row {}", row);
  return fmt::format("video '{}' (batch row {})", video_ids[static_cast<size_t>(row)], row);
}

EvaluatorOptions checked(const EvaluatorOptions& options) {
  if (options.num_classes < 1) {
    throw std::invalid_argument(fmt::format("the class count must be at least 1 (got {})", options.num_classes));
  }
  if (options.top_k < 1) {
    throw std::invalid_argument(fmt::format("top_k must be at least 1 (got {})", options.top_k));
  }
  return options;
}

}  // namespace

StreamingEvaluator::StreamingEvaluator(const EvaluatorOptions& options)
    : options_(checked(options)),
      selector_(options_.num_classes),
      is_true_(static_cast<size_t>(options_.num_classes), 0),
      class_positives_(static_cast<size_t>(options_.num_classes), 0),
      top_entries_(options_.chunk_entries),
      all_entries_(options_.chunk_entries) {}

void StreamingEvaluator::validate(const float* scores, int batch, const SparseLabels& labels,
                                  std::span<const std::string> video_ids) const {
  if (batch < 0) throw std::invalid_argument(fmt::format("negative batch size {}", batch));
  if (batch > 0 && scores == nullptr) throw std::invalid_argument("no scores given for a non-empty batch");
  if (labels.offsets.size() != static_cast<size_t>(batch) + 1) {
    throw std::invalid_argument(fmt::format("label offsets hold {} entries, expected batch size + 1 = {}",
                                            labels.offsets.size(), batch + 1));
  }
  if (!video_ids.empty() && video_ids.size() != static_cast<size_t>(batch)) {
    throw std::invalid_argument(fmt::format("{} video ids for a batch of {}", video_ids.size(), batch));
  }
  const auto ids_size = static_cast<int64_t>(labels.ids.size());
  if (labels.offsets[0] < 0 || labels.offsets[0] > ids_size) {
    throw std::invalid_argument(fmt::format("label offset {} is outside the {} label ids", labels.offsets[0], ids_size));
  }
  const int classes = options_.num_classes;
  for (int b = 0; b < batch; ++b) {
    const int32_t begin = labels.offsets[static_cast<size_t>(b)];
    const int32_t end = labels.offsets[static_cast<size_t>(b) + 1];
    if (end < begin || end > ids_size) {
      throw std::invalid_argument(fmt::format("{}: label offsets [{}, {}) are not a range of the {} label ids",
                                              describe_video(b, video_ids), begin, end, ids_size));
    }
    for (int32_t i = begin; i < end; ++i) {
      const int32_t label = labels.ids[static_cast<size_t>(i)];
      if (label < 0 || label >= classes) {
        throw std::invalid_argument(fmt::format("{}: label {} is outside the model's {} classes [0, {})",
                                                describe_video(b, video_ids), label, classes, classes));
      }
    }
    const float* row = scores + static_cast<ptrdiff_t>(b) * classes;
    if (const int c = find_nan(row, classes); c >= 0) {
      throw std::invalid_argument(fmt::format("{}: the score of class {} is NaN", describe_video(b, video_ids), c));
    }
  }
}

void StreamingEvaluator::add(const float* scores, int batch, const SparseLabels& labels,
                             std::span<const std::string> video_ids) {
  validate(scores, batch, labels, video_ids);
  for (int b = 0; b < batch; ++b) {
    const auto begin = static_cast<size_t>(labels.offsets[static_cast<size_t>(b)]);
    const auto end = static_cast<size_t>(labels.offsets[static_cast<size_t>(b) + 1]);
    add_video(scores + static_cast<ptrdiff_t>(b) * options_.num_classes, labels.ids.subspan(begin, end - begin));
  }
}

void StreamingEvaluator::add_video(const float* row, std::span<const int32_t> labels) {
  int num_labels = 0;
  for (const int32_t label : labels) {
    uint8_t& mark = is_true_[static_cast<size_t>(label)];
    if (mark == 0) {
      mark = 1;
      ++num_labels;
      ++class_positives_[static_cast<size_t>(label)];
    }
  }
  // PERR looks at as many predictions as the video has labels, which may exceed top_k.
  const auto ranked = selector_.select(row, std::max(options_.top_k, num_labels));
  const auto truth = [&](const RankedClass& r) { return is_true_[static_cast<size_t>(r.label)] != 0; };

  if (truth(ranked[0])) ++hits_at_1_;
  if (num_labels > 0) {
    int hits = 0;
    for (int i = 0; i < num_labels; ++i) {
      const RankedClass& r = ranked[static_cast<size_t>(i)];
      if (r.score > 0.0f && truth(r)) ++hits;
    }
    perr_sum_ += static_cast<double>(hits) / num_labels;
  }
  const size_t kept = std::min(ranked.size(), static_cast<size_t>(options_.top_k));
  for (size_t i = 0; i < kept; ++i) {
    top_entries_.push(ScoredEntry::make(ranked[i].score, ranked[i].label, truth(ranked[i])));
  }
  if (options_.full_map) {
    for (int c = 0; c < options_.num_classes; ++c) {
      all_entries_.push(ScoredEntry::make(row[c], c, is_true_[static_cast<size_t>(c)] != 0));
    }
  }

  for (const int32_t label : labels) is_true_[static_cast<size_t>(label)] = 0;
  ++videos_;
  positives_ += num_labels;
}

namespace {

// Mean over classes with positives of (class precision sum / class positives).
double mean_class_ap(const TieAveragedAp& ap, std::span<const int64_t> class_positives) {
  double sum = 0.0;
  int classes = 0;
  for (size_t c = 0; c < class_positives.size(); ++c) {
    if (class_positives[c] == 0) continue;
    sum += ap.class_precision_sum(static_cast<int>(c)) / static_cast<double>(class_positives[c]);
    ++classes;
  }
  return classes == 0 ? 0.0 : sum / classes;
}

}  // namespace

MetricResults StreamingEvaluator::compute() {
  MetricResults r;
  r.videos = videos_;
  r.positives = positives_;
  r.top_k = options_.top_k;
  r.classes_with_positives =
      static_cast<int>(std::count_if(class_positives_.begin(), class_positives_.end(), [](int64_t n) { return n > 0; }));
  if (videos_ > 0) {
    r.hit_at_1 = static_cast<double>(hits_at_1_) / static_cast<double>(videos_);
    r.perr = perr_sum_ / static_cast<double>(videos_);
  }

  TieAveragedAp top_ap(options_.num_classes);
  top_entries_.rank_into(top_ap);
  if (positives_ > 0) r.gap = top_ap.pooled_precision_sum() / static_cast<double>(positives_);
  r.map = mean_class_ap(top_ap, class_positives_);

  if (options_.full_map) {
    TieAveragedAp full_ap(options_.num_classes);
    all_entries_.rank_into(full_ap);
    r.full_map = mean_class_ap(full_ap, class_positives_);
  }
  return r;
}

}  // namespace ynet::metrics
