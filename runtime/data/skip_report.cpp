#include "runtime/data/skip_report.h"

#include <fmt/format.h>

namespace ynet::data {

SkipReport::SkipReport(std::string what, std::FILE* out) : what_(std::move(what)), out_(out) {}

void SkipReport::add(const DataError& error) {
  ++records_;
  bytes_ += error.bytes_lost();
  if (!first_) first_ = std::make_unique<DataError>(error);
  if (out_ != nullptr) {
    fmt::print(out_, "ynet: skipped in the {}: {}{}\n", what_, error.what(),
               error.bytes_lost() > 0 ? fmt::format(" ({} bytes unread)", error.bytes_lost()) : "");
    std::fflush(out_);
  }
}

std::string SkipReport::summary() const {
  if (records_ == 0) return "";
  return fmt::format("{} damaged record{} skipped in the {} ({} bytes unread)", records_, records_ == 1 ? "" : "s", what_,
                     bytes_);
}

}  // namespace ynet::data
