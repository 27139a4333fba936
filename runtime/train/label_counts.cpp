#include "runtime/train/label_counts.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "runtime/data/file_glob.h"
#include "runtime/data/label_stats.h"
#include "runtime/data/skip_report.h"

namespace ynet::train {

std::vector<int64_t> read_label_counts(const std::string& path, int64_t classes) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot read label counts '{}'", path));
  std::vector<int64_t> counts(static_cast<size_t>(classes), 0);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "class,count") continue;
    std::istringstream row(line);
    int64_t label = -1, count = -1;
    char comma = 0;
    if (!(row >> label >> comma >> count) || comma != ',' || count < 0)
      throw std::runtime_error(fmt::format("{}:{}: expected 'class,count', got '{}'", path, number, line));
    if (label < 0 || label >= classes)
      throw std::runtime_error(fmt::format("{}:{}: class {} is outside the model's {} classes", path, number, label, classes));
    counts[static_cast<size_t>(label)] = count;
  }
  return counts;
}

std::vector<int64_t> count_labels(const plan::Plan& plan, const std::string& globs, int threads, bool skip_corrupt,
                                  bool verify_crc) {
  data::LabelStatsOptions options;
  options.id_key = plan.meta.id_key;
  options.labels_key = plan.meta.labels_key;
  options.num_classes = static_cast<int>(plan.meta.classes);
  options.threads = std::max(threads, 1);
  options.skip_corrupt = skip_corrupt;
  options.verify_crc = verify_crc;
  data::SkipReport skips("training data, counting labels");
  const data::LabelStats stats = data::compute_label_stats(data::expand_globs({globs}), options,
                                                           [&](const data::DataError& error) { skips.add(error); });
  return stats.counts;
}

bool needs_label_counts(const plan::Plan& plan) {
  for (const ir::StateEntry& s : plan.graph.state)
    if (s.init == "inverse_frequency") return true;
  return false;
}

}  // namespace ynet::train
