#include "runtime/data/label_distribution.h"

#include <algorithm>
#include <cmath>

namespace ynet::data {
namespace {

constexpr double kRankOffset = 2.0 / kPaperClasses;

std::vector<double> weights_for(int classes, double exponent, double cutoff) {
  std::vector<double> weights(static_cast<size_t>(classes));
  double total = 0.0;
  for (int rank = 1; rank <= classes; ++rank) {
    const double u = static_cast<double>(rank) / classes;
    const double w = std::pow(u + kRankOffset, -exponent) * std::exp(-cutoff * u);
    weights[static_cast<size_t>(rank - 1)] = w;
    total += w;
  }
  for (double& w : weights) w /= total;
  return weights;
}

// The exponent that gives the target imbalance at the paper's scale for a given cutoff.
double exponent_for(double cutoff) {
  const double first = 1.0 / kPaperClasses + kRankOffset;
  const double last = 1.0 + kRankOffset;
  const double exponent = (std::log(kTargetImbalance) - cutoff * (1.0 - 1.0 / kPaperClasses)) / std::log(last / first);
  return std::max(exponent, 0.0);
}

struct FittedLaw {
  double exponent;
  double cutoff;
};

FittedLaw fit_at_paper_scale() {
  // A larger cutoff thins the tail, so fewer labels cover 95%: bisect on it.
  const double target = kTargetCoverageShare * kPaperClasses;
  double low = 0.0;
  double high = std::log(kTargetImbalance);
  for (int iteration = 0; iteration < 40; ++iteration) {
    const double middle = 0.5 * (low + high);
    if (labels_covering(weights_for(kPaperClasses, exponent_for(middle), middle), 0.95) > target) {
      low = middle;
    } else {
      high = middle;
    }
  }
  const double cutoff = 0.5 * (low + high);
  return {exponent_for(cutoff), cutoff};
}

}  // namespace

int labels_covering(const std::vector<double>& sorted_weights, double fraction) {
  double total = 0.0;
  for (const double w : sorted_weights) total += w;
  double running = 0.0;
  for (size_t i = 0; i < sorted_weights.size(); ++i) {
    running += sorted_weights[i];
    if (running >= fraction * total * (1.0 - 1e-12)) return static_cast<int>(i + 1);
  }
  return static_cast<int>(sorted_weights.size());
}

LabelDistribution fit_label_distribution(int classes) {
  static const FittedLaw law = fit_at_paper_scale();
  LabelDistribution result;
  result.exponent = law.exponent;
  result.cutoff = law.cutoff;
  result.weights = weights_for(std::max(classes, 0), law.exponent, law.cutoff);
  double running = 0.0;
  for (const double w : result.weights) {
    running += w;
    result.cumulative.push_back(running);
  }
  if (!result.cumulative.empty()) result.cumulative.back() = 1.0;
  return result;
}

}  // namespace ynet::data
