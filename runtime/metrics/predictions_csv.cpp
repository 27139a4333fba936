#include "runtime/metrics/predictions_csv.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace ynet::metrics {
namespace {

std::runtime_error io_error(std::string_view action, const std::filesystem::path& path) {
  return std::runtime_error(fmt::format("cannot {} '{}': {}", action, path.string(), std::strerror(errno)));
}

// The format has no quoting, so an id must not contain the separators.
void check_video_id(const std::string& id) {
  if (id.empty()) throw std::invalid_argument("empty video id: the predictions format needs one per row");
  for (const char ch : id) {
    if (ch == ',' || ch == '"' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      throw std::invalid_argument(fmt::format("video id '{}' contains a character the predictions format cannot carry", id));
    }
  }
}

}  // namespace

PredictionWriter::PredictionWriter(std::filesystem::path path, int num_classes, int top_k)
    : selector_(num_classes), top_k_(top_k) {
  if (top_k < 1) throw std::invalid_argument(fmt::format("top_k must be at least 1 (got {})", top_k));
  file_ = std::make_unique<io::OutputFile>(path.string());
  fmt::format_to(std::back_inserter(buffer_), "{}\n", kPredictionsHeader);
}

PredictionWriter::~PredictionWriter() = default;

void PredictionWriter::add(const float* scores, std::span<const std::string> video_ids) {
  const int classes = selector_.num_classes();
  for (size_t b = 0; b < video_ids.size(); ++b) {
    check_video_id(video_ids[b]);
    if (const int c = find_nan(scores + b * static_cast<size_t>(classes), classes); c >= 0) {
      throw std::invalid_argument(fmt::format("video '{}': the score of class {} is NaN", video_ids[b], c));
    }
  }
  for (size_t b = 0; b < video_ids.size(); ++b) {
    fmt::format_to(std::back_inserter(buffer_), "{},", video_ids[b]);
    const char* separator = "";
    for (const RankedClass& r : selector_.select(scores + b * static_cast<size_t>(classes), top_k_)) {
      fmt::format_to(std::back_inserter(buffer_), "{}{} {:.6f}", separator, r.label, r.score);
      separator = " ";
    }
    buffer_.push_back('\n');
    ++rows_;
  }
  write_buffer();
}

void PredictionWriter::write_buffer() {
  file_->write(std::string_view(buffer_.data(), buffer_.size()));
  buffer_.clear();
}

void PredictionWriter::finish() {
  write_buffer();
  file_->commit();
}

namespace {

class RowParser {
 public:
  RowParser(std::string_view source, int line) : source_(source), line_(line) {}

  [[noreturn]] void fail(std::string_view message) const {
    throw std::runtime_error(fmt::format("{}:{}: {}", source_, line_, message));
  }

  PredictionRow parse(std::string_view text) const {
    const size_t comma = text.find(',');
    if (comma == std::string_view::npos) fail("expected 'VideoId,LabelConfidencePairs', found no comma");
    PredictionRow row;
    row.line = line_;
    row.video_id = std::string(text.substr(0, comma));
    if (row.video_id.empty()) fail("empty video id");
    std::string_view rest = text.substr(comma + 1);
    std::vector<std::string_view> tokens;
    while (!rest.empty()) {
      const size_t space = rest.find(' ');
      const std::string_view token = rest.substr(0, space);
      if (token.empty()) fail("two spaces in a row, or a leading or trailing space");
      tokens.push_back(token);
      if (space == std::string_view::npos) break;
      rest = rest.substr(space + 1);
      if (rest.empty()) fail("trailing space");
    }
    if (tokens.size() % 2 != 0) fail(fmt::format("{} fields after the id; labels and scores come in pairs", tokens.size()));
    for (size_t i = 0; i < tokens.size(); i += 2) {
      row.predictions.emplace_back(parse_label(tokens[i]), parse_score(tokens[i + 1]));
    }
    return row;
  }

 private:
  int32_t parse_label(std::string_view token) const {
    int32_t label = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), label);
    if (error != std::errc() || end != token.data() + token.size() || label < 0) {
      fail(fmt::format("'{}' is not a class label (a non-negative integer)", token));
    }
    return label;
  }

  float parse_score(std::string_view token) const {
    float score = 0.0f;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), score);
    if (error != std::errc() || end != token.data() + token.size() || std::isnan(score)) {
      fail(fmt::format("'{}' is not a score (a decimal number)", token));
    }
    return score;
  }

  std::string_view source_;
  int line_;
};

}  // namespace

std::vector<PredictionRow> parse_predictions_csv(std::string_view text, std::string_view source_name) {
  std::vector<PredictionRow> rows;
  std::unordered_map<std::string, int> first_line_of;
  int line = 0;
  while (!text.empty()) {
    ++line;
    const size_t newline = text.find('\n');
    std::string_view content = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    const RowParser parser(source_name, line);
    if (line == 1) {
      if (content != kPredictionsHeader) parser.fail(fmt::format("expected the header '{}'", kPredictionsHeader));
      continue;
    }
    if (content.empty()) {
      if (text.empty()) break;
      parser.fail("empty line");
    }
    PredictionRow row = parser.parse(content);
    const auto [it, inserted] = first_line_of.emplace(row.video_id, line);
    if (!inserted) parser.fail(fmt::format("video '{}' already appeared on line {}", row.video_id, it->second));
    rows.push_back(std::move(row));
  }
  if (line == 0) throw std::runtime_error(fmt::format("{}:1: empty file; expected the header '{}'", source_name, kPredictionsHeader));
  return rows;
}

std::vector<PredictionRow> read_predictions_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw io_error("read", path);
  return parse_predictions_csv(text.str(), path.string());
}

}  // namespace ynet::metrics
