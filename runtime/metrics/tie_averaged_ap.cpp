#include "runtime/metrics/tie_averaged_ap.h"

#include <algorithm>
#include <queue>
#include <stdexcept>

namespace ynet::metrics {

double tie_group_precision_sum(int64_t before, int64_t positives_before, int64_t n, int64_t p) {
  if (p == 0) return 0.0;
  // A slot q of the group is positive with probability p/n; given that, each of the other p-1
  // positives sits before it with probability (q-1)/(n-1).
  const double share = static_cast<double>(p) / static_cast<double>(n);
  const double others_per_slot = n > 1 ? static_cast<double>(p - 1) / static_cast<double>(n - 1) : 0.0;
  double sum = 0.0;
  for (int64_t q = 1; q <= n; ++q) {
    const double expected_hits = static_cast<double>(positives_before + 1) +
                                 static_cast<double>(q - 1) * others_per_slot;
    sum += expected_hits / static_cast<double>(before + q);
  }
  return share * sum;
}

TieAveragedAp::TieAveragedAp(int num_classes) {
  if (num_classes < 1) throw std::invalid_argument("the class count must be at least 1");
  classes_.resize(static_cast<size_t>(num_classes));
}

void TieAveragedAp::close(Ranking& ranking, Group& group) {
  if (group.size == 0) return;
  ranking.precision_sum +=
      tie_group_precision_sum(ranking.seen, ranking.positives_seen, group.size, group.positives);
  ranking.seen += group.size;
  ranking.positives_seen += group.positives;
  group = Group{};
}

void TieAveragedAp::feed(const ScoredEntry& entry) {
  const int32_t label = entry.label();
  const bool new_score = pooled_group_.size == 0 || entry.score != group_score_;
  // Entries arrive sorted by (score, class), so a class's tie group ends when the class changes.
  if (new_score || label != group_label_) {
    if (group_label_ >= 0) close(classes_[static_cast<size_t>(group_label_)], class_group_);
    group_label_ = label;
  }
  if (new_score) {
    close(pooled_, pooled_group_);
    group_score_ = entry.score;
  }
  const int64_t positive = entry.is_true() ? 1 : 0;
  ++pooled_group_.size;
  pooled_group_.positives += positive;
  ++class_group_.size;
  class_group_.positives += positive;
}

void TieAveragedAp::finish() {
  if (group_label_ >= 0) close(classes_[static_cast<size_t>(group_label_)], class_group_);
  close(pooled_, pooled_group_);
  group_label_ = -1;
}

EntryStore::EntryStore(size_t chunk_entries) : chunk_entries_(chunk_entries) {
  if (chunk_entries == 0) throw std::invalid_argument("an entry chunk must hold at least one entry");
}

void EntryStore::add_chunk() {
  chunks_.emplace_back();
  chunks_.back().reserve(chunk_entries_);
}

void EntryStore::rank_into(TieAveragedAp& ap) {
  struct Cursor {
    const ScoredEntry* next;
    const ScoredEntry* end;
  };
  // priority_queue keeps its "largest" element on top, so "larger" here means ranked lower.
  const auto ranked_lower = [](const Cursor& a, const Cursor& b) { return entry_ranks_higher(*b.next, *a.next); };
  std::vector<Cursor> heads;
  heads.reserve(chunks_.size());
  for (auto& chunk : chunks_) {
    std::sort(chunk.begin(), chunk.end(), entry_ranks_higher);
    if (!chunk.empty()) heads.push_back({chunk.data(), chunk.data() + chunk.size()});
  }
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(ranked_lower)> queue(ranked_lower, std::move(heads));
  while (!queue.empty()) {
    Cursor cursor = queue.top();
    queue.pop();
    ap.feed(*cursor.next);
    if (++cursor.next != cursor.end) queue.push(cursor);
  }
  ap.finish();
}

}  // namespace ynet::metrics
