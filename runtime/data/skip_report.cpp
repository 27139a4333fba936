#include "runtime/data/skip_report.h"

#include <fmt/format.h>

namespace ynet::data {

SkipReport::SkipReport(std::string what, std::FILE* out) : what_(std::move(what)), out_(out) {}

void SkipReport::add(const DataError& error) {
  ++records_;
  bytes_ += error.bytes_lost();
  if (!first_) first_ = std::make_unique<DataError>(error);
  const bool new_record = reported_.emplace(error.file(), error.offset(), static_cast<int>(error.kind())).second;
  if (new_record && out_ != nullptr) {
    fmt::print(out_, "ynet: skipped in the {}: {}{}\n", what_, error.what(),
               error.bytes_lost() > 0 ? fmt::format(" ({} bytes unread)", error.bytes_lost()) : "");
    std::fflush(out_);
  }
}

std::string SkipReport::summary() const {
  if (records_ == 0) return "";
  const uint64_t distinct = distinct_records();
  return fmt::format("{} damaged record{} skipped in the {} ({}{} bytes unread)", distinct, distinct == 1 ? "" : "s",
                     what_, records_ > distinct ? fmt::format("{} skips over repeated passes, ", records_) : "", bytes_);
}

}  // namespace ynet::data
