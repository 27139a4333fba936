#pragma once
#include <string>
#include <vector>

namespace ynet::data {

// Expands shell globs (comma-separated lists are split first) into a sorted list of distinct
// files. Throws DataError(kNoMatch) naming the first pattern that matches nothing.
std::vector<std::string> expand_globs(const std::vector<std::string>& patterns);

}  // namespace ynet::data
