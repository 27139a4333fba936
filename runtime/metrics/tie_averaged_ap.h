#pragma once
// Non-interpolated average precision over pooled (score, is_true) entries, for GAP (all classes in
// one ranking) and the per-class APs of mAP, computed in one pass over the entries in rank order.
//
// Ties: the starter code shuffles the pooled entries with a fixed seed and then sorts them stably
// by score, so entries of equal score end up in an arbitrary order. We report the expectation of
// AP over all orders of each tie group instead (McSherry & Najork, ECIR 2008). It equals the plain
// AP when no scores tie, and it does not depend on video order or on how videos were batched.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ynet::metrics {

// One (video, class) prediction kept for a pooled ranking; 8 bytes.
struct ScoredEntry {
  float score;
  uint32_t class_and_truth;  // label << 1 | is_true

  static ScoredEntry make(float score, int32_t label, bool is_true) {
    return {score, (static_cast<uint32_t>(label) << 1) | (is_true ? 1u : 0u)};
  }
  int32_t label() const { return static_cast<int32_t>(class_and_truth >> 1); }
  bool is_true() const { return (class_and_truth & 1u) != 0; }
};

// Score descending, then class ascending: groups equal scores and, within them, each class.
inline bool entry_ranks_higher(const ScoredEntry& a, const ScoredEntry& b) {
  return a.score > b.score || (a.score == b.score && a.class_and_truth < b.class_and_truth);
}

// Σ over the group's positives of the expected precision at their rank, when `n` tied entries
// holding `p` positives follow `before` entries holding `positives_before` positives and the
// order inside the group is uniformly random.
double tie_group_precision_sum(int64_t before, int64_t positives_before, int64_t n, int64_t p);

// Accumulates pooled and per-class precision sums from entries fed in entry_ranks_higher order.
// AP = sum / (number of positives, counting those that were never fed).
class TieAveragedAp {
 public:
  explicit TieAveragedAp(int num_classes);

  void feed(const ScoredEntry& entry);
  // Closes the last tie group; call once after the last feed().
  void finish();

  double pooled_precision_sum() const { return pooled_.precision_sum; }
  double class_precision_sum(int label) const { return classes_[static_cast<size_t>(label)].precision_sum; }

 private:
  struct Ranking {
    int64_t seen = 0;
    int64_t positives_seen = 0;
    double precision_sum = 0.0;
  };
  struct Group {
    int64_t size = 0;
    int64_t positives = 0;
  };
  static void close(Ranking& ranking, Group& group);

  std::vector<Ranking> classes_;
  Ranking pooled_;
  Group pooled_group_;
  Group class_group_;
  float group_score_ = 0.0f;
  int32_t group_label_ = -1;
};

// Append-only entry storage in fixed-size chunks, so memory stays at 8 bytes per entry plus at
// most one partly filled chunk, with none of the transient doubling of a growing vector.
class EntryStore {
 public:
  static constexpr size_t kDefaultChunkEntries = size_t{1} << 20;  // 8 MiB

  explicit EntryStore(size_t chunk_entries = kDefaultChunkEntries);

  void push(const ScoredEntry& entry) {
    if (chunks_.empty() || chunks_.back().size() == chunk_entries_) add_chunk();
    chunks_.back().push_back(entry);
    ++size_;
  }
  size_t size() const { return size_; }
  size_t reserved_bytes() const { return chunks_.size() * chunk_entries_ * sizeof(ScoredEntry); }

  // Feeds every entry to `ap` in rank order, then finishes it. Sorts each chunk in place and merges
  // the chunks on the fly, so no second copy is made; the metrics do not depend on insertion order.
  void rank_into(TieAveragedAp& ap);

 private:
  void add_chunk();

  size_t chunk_entries_;
  size_t size_ = 0;
  std::vector<std::vector<ScoredEntry>> chunks_;
};

}  // namespace ynet::metrics
