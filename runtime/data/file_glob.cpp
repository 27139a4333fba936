#include "runtime/data/file_glob.h"

#include <glob.h>

#include <algorithm>

#include "runtime/data/data_error.h"

namespace ynet::data {
namespace {

void split_commas(const std::string& text, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace

std::vector<std::string> expand_globs(const std::vector<std::string>& patterns) {
  std::vector<std::string> split;
  for (const std::string& pattern : patterns) split_commas(pattern, split);
  if (split.empty()) {
    throw DataError(DataErrorKind::kNoMatch, "(no pattern)", DataError::kNoOffset, DataError::kNoRecord, "",
                    "no data files given");
  }
  std::vector<std::string> files;
  for (const std::string& pattern : split) {
    glob_t matches{};
    const int status = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
    const size_t before = files.size();
    if (status == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    }
    globfree(&matches);
    if (files.size() == before) {
      throw DataError(DataErrorKind::kNoMatch, pattern, DataError::kNoOffset, DataError::kNoRecord, "",
                      "pattern matches no file");
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace ynet::data
