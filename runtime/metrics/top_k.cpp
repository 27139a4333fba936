#include "runtime/metrics/top_k.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ynet::metrics {

TopKSelector::TopKSelector(int num_classes) {
  if (num_classes < 1) throw std::invalid_argument("the class count must be at least 1");
  workspace_.resize(static_cast<size_t>(num_classes));
}

std::span<const RankedClass> TopKSelector::select(const float* row, int k) {
  const int n = num_classes();
  const int m = std::clamp(k, 0, n);
  for (int c = 0; c < n; ++c) workspace_[static_cast<size_t>(c)] = {row[c], c};
  // partial_sort only does heap work for scores that beat the current k-th, so a small k costs
  // about one comparison per class and a k as large as the class count stays O(n log n).
  std::partial_sort(workspace_.begin(), workspace_.begin() + m, workspace_.end(), ranks_higher);
  return {workspace_.data(), static_cast<size_t>(m)};
}

int find_nan(const float* row, int n) {
  for (int c = 0; c < n; ++c) {
    if (std::isnan(row[c])) return c;
  }
  return -1;
}

}  // namespace ynet::metrics
