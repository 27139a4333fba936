#pragma once
// Ranking one video's class scores: the order every metric and the prediction file agree on.
#include <cstdint>
#include <span>
#include <vector>

namespace ynet::metrics {

struct RankedClass {
  float score;
  int32_t label;
};

// Higher score first; equal scores go to the lower class index, as numpy's argmax does for Hit@1.
inline bool ranks_higher(const RankedClass& a, const RankedClass& b) {
  return a.score > b.score || (a.score == b.score && a.label < b.label);
}

// Selects the k best classes of a score row. The workspace is sized once for the class count, so
// selecting allocates nothing.
class TopKSelector {
 public:
  explicit TopKSelector(int num_classes);

  int num_classes() const { return static_cast<int>(workspace_.size()); }

  // The min(k, num_classes) best classes of `row` (num_classes scores, none NaN), best first. The
  // span is valid until the next call.
  std::span<const RankedClass> select(const float* row, int k);

 private:
  std::vector<RankedClass> workspace_;
};

// Index of the first NaN in row[0, n), or -1. NaN has no rank, so callers reject such rows.
int find_nan(const float* row, int n);

}  // namespace ynet::metrics
