#pragma once
// Source files, locations and compiler-style diagnostics:
//   spec.ynet:7:12: error: unknown layer `LTSM`
//       7 |   h = LTSM(x, hidden: 2048)
//         |       ^~~~
//   hint: did you mean `LSTM`?
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/source_loc.h"

namespace ynet::syntax {

using ::ynet::SourceLoc;

class SourceManager {
 public:
  int add(std::string path, std::string text);
  const std::string& path(int file) const { return files_[file].path; }
  const std::string& text(int file) const { return files_[file].text; }
  std::string_view line(int file, int line) const;  // without the newline; empty if out of range
  size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string path, text;
    std::vector<size_t> line_starts;
  };
  std::vector<File> files_;
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc loc;
  std::string message;
  std::string hint;  // optional; printed as `hint: ...`
};

class DiagnosticSink {
 public:
  void error(SourceLoc loc, std::string message, std::string hint = {});
  void warning(SourceLoc loc, std::string message, std::string hint = {});
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return diags_; }
  std::vector<Diagnostic> take() { return std::move(diags_); }

 private:
  std::vector<Diagnostic> diags_;
  size_t errors_ = 0;
};

std::string render(const Diagnostic& d, const SourceManager& sources);

// "did you mean": the closest candidate within a small edit distance (case-insensitive), or "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace ynet::syntax
