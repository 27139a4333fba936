#pragma once
// The label-frequency law of the synthetic data, in relative rank u = r / K for the label of
// frequency rank r = 1..K (label id r - 1, like YouTube-8M's frequency-sorted vocabulary):
//   w(u) = (u + 2 / 4716)^-s * exp(-lambda * u).
// s and lambda are fitted once at the paper's scale, K = 4716, so that the most frequent label is
// 8.6k times as likely as the least frequent and 95% of the mass lies in the top 1834 labels
// (Table 2, Figure 5). In relative rank the cumulative curve of Figure 5 keeps its shape at any
// K; the most/least ratio shrinks with fewer labels (about 1.7k at K = 400).
#include <vector>

namespace ynet::data {

struct LabelDistribution {
  double exponent = 1.0;           // s
  double cutoff = 0.0;             // lambda
  std::vector<double> weights;     // normalised, by label id
  std::vector<double> cumulative;  // running sums of weights (last = 1)
};

inline constexpr int kPaperClasses = 4716;
inline constexpr double kTargetImbalance = 8600.0;
inline constexpr double kTargetCoverageShare = 1834.0 / 4716.0;

LabelDistribution fit_label_distribution(int classes);
// Smallest number of top labels holding `fraction` of the mass of `weights` (sorted descending).
int labels_covering(const std::vector<double>& sorted_weights, double fraction);

}  // namespace ynet::data
