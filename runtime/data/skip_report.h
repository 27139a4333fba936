#pragma once
// Accounting for damaged records skipped under --skip-corrupt, so that nothing is lost silently:
// each skip is reported as it happens (file, byte offset, record, reason, bytes left unread) and
// the totals go into the command's summary line and its results (eval.json, metrics.jsonl).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "runtime/data/data_error.h"

namespace ynet::data {

class SkipReport {
 public:
  // `what` names the data in the lines ("validation data"); `out` receives one line per skip
  // (nullptr: count only).
  explicit SkipReport(std::string what = "data", std::FILE* out = stderr);

  void add(const DataError& error);

  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  // The first record skipped, for a message when nothing usable is left; nullptr when none.
  const DataError* first() const { return first_.get(); }
  // "3 damaged records skipped (1,234 bytes unread)", or "" when none was.
  std::string summary() const;

 private:
  std::string what_;
  std::FILE* out_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  std::unique_ptr<DataError> first_;
};

}  // namespace ynet::data
