#pragma once
// Label counts for the class-balanced loss: read from the "class,count" CSV that `ynet stats`
// writes (data::format_label_counts_csv), or counted from the training data when there is none.
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace ynet::train {

// Throws std::runtime_error naming the file and line of a malformed or out-of-range row.
std::vector<int64_t> read_label_counts(const std::string& path, int64_t classes);

// Reads every training record's labels (ynet stats does the same). With `skip_corrupt` a damaged
// record is reported on stderr and left out, as training leaves it out.
std::vector<int64_t> count_labels(const plan::Plan& plan, const std::string& globs, int threads,
                                  bool skip_corrupt = false, bool verify_crc = true);

bool needs_label_counts(const plan::Plan& plan);

}  // namespace ynet::train
