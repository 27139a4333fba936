#include "compiler/syntax/diagnostics.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ynet::syntax {

int SourceManager::add(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (size_t i = 0; i < f.text.size(); ++i) {
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(f));
  return static_cast<int>(files_.size() - 1);
}

std::string_view SourceManager::line(int file, int line) const {
  if (file < 0 || static_cast<size_t>(file) >= files_.size() || line < 1) return {};
  const File& f = files_[file];
  if (static_cast<size_t>(line) > f.line_starts.size()) return {};
  size_t begin = f.line_starts[line - 1];
  size_t end = f.text.find('\n', begin);
  if (end == std::string::npos) end = f.text.size();
  if (end > begin && f.text[end - 1] == '\r') --end;
  return std::string_view(f.text).substr(begin, end - begin);
}

void DiagnosticSink::error(SourceLoc loc, std::string message, std::string hint) {
  diags_.push_back({Severity::Error, loc, std::move(message), std::move(hint)});
  ++errors_;
}

void DiagnosticSink::warning(SourceLoc loc, std::string message, std::string hint) {
  diags_.push_back({Severity::Warning, loc, std::move(message), std::move(hint)});
}

namespace {

bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

// The caret line: whitespace that mirrors the source up to the column (tabs stay tabs so the caret
// lines up in any terminal), then ^ and ~ for the rest of the span.
std::string caret_line(std::string_view source_line, int column, int length) {
  std::string out;
  int code_point = 1;
  size_t i = 0;
  while (i < source_line.size() && code_point < column) {
    out += source_line[i] == '\t' ? '\t' : ' ';
    ++i;
    while (i < source_line.size() && is_continuation_byte(static_cast<unsigned char>(source_line[i]))) ++i;
    ++code_point;
  }
  for (; code_point < column; ++code_point) out += ' ';
  out += '^';
  for (int k = 1; k < length; ++k) out += '~';
  return out;
}

// Long lines (minified or binary input) are cut to a window around the column, marked with "...".
std::string window(std::string_view line, int& column) {
  constexpr int kWidth = 120, kBefore = 60;
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t i = 0; i < line.size(); ++i) {
    if (!is_continuation_byte(static_cast<unsigned char>(line[i]))) starts.push_back(i);
  }
  const int count = static_cast<int>(starts.size());
  if (count <= kWidth) return std::string(line);
  const int first = std::clamp(column - 1 - kBefore, 0, std::max(0, count - kWidth));
  const int last = std::min(count, first + kWidth);
  std::string out = first > 0 ? "..." : "";
  const size_t end = last < count ? starts[last] : line.size();
  out += line.substr(starts[first], end - starts[first]);
  if (last < count) out += "...";
  column = column - first + (first > 0 ? 3 : 0);
  return out;
}

}  // namespace

std::string render(const Diagnostic& d, const SourceManager& sources) {
  const char* kind = d.severity == Severity::Error ? "error" : "warning";
  std::string out;
  if (d.loc.file < 0) {
    out = fmt::format("ynet: {}: {}\n", kind, d.message);
  } else {
    out = fmt::format("{}:{}:{}: {}: {}\n", sources.path(d.loc.file), d.loc.line, d.loc.column, kind,
                      d.message);
    std::string_view text = sources.line(d.loc.file, d.loc.line);
    int column = d.loc.column;
    std::string shown = window(text, column);
    text = shown;
    if (!text.empty()) {
      std::string number = std::to_string(d.loc.line);
      std::string gutter(number.size(), ' ');
      out += fmt::format(" {} | {}\n", number, text);
      out += fmt::format(" {} | {}\n", gutter, caret_line(text, column, std::max(1, d.loc.length)));
    }
  }
  if (!d.hint.empty()) out += fmt::format("hint: {}\n", d.hint);
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and swaps of neighbours (LTSM for
  // LSTM) each cost one; letters compare case-insensitively.
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  const size_t w = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * w);
  for (size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      size_t best = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        best = std::min(best, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = best;
    }
  }
  return d[a.size() * w + b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // Long words tolerate more typos; a suggestion must be closer than rewriting half the word.
  if (word.size() > 64) return {};
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3 + 1));
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c.size() > 64) continue;
    size_t dist = edit_distance(word, c);
    if (dist < best_distance && dist < std::max(word.size(), c.size())) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace ynet::syntax
