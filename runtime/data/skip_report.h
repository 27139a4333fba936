#pragma once
// Accounting for damaged records skipped under --skip-corrupt, so that nothing is lost silently:
// each damaged record is reported the first time it is skipped (file, byte offset, record, reason,
// bytes left unread) and the totals go into the command's summary line and its results
// (eval.json, metrics.jsonl). Data read again (training epochs, the trainer's repeated validation
// passes) skips the same records again: those skips are counted, not reported a second time.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "runtime/data/data_error.h"

namespace ynet::data {

class SkipReport {
 public:
  // `what` names the data in the lines ("validation data"); `out` receives one line per skip
  // (nullptr: count only).
  explicit SkipReport(std::string what = "data", std::FILE* out = stderr);

  void add(const DataError& error);

  // Skips so far, a record skipped in several passes counted once a pass, and the file bytes
  // they left unread.
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  // Distinct damaged records among them.
  uint64_t distinct_records() const { return reported_.size(); }
  // The first record skipped, for a message when nothing usable is left; nullptr when none.
  const DataError* first() const { return first_.get(); }
  // "3 damaged records skipped in the training data (1234 bytes unread)", with the number of
  // skips when passes repeated them; "" when none was.
  std::string summary() const;

 private:
  std::string what_;
  std::FILE* out_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  std::unique_ptr<DataError> first_;
  std::set<std::tuple<std::string, uint64_t, int>> reported_;  // file, offset, kind
};

}  // namespace ynet::data
