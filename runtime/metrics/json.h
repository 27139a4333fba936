#pragma once
// Minimal JSON output for metric results and log lines (one flat object), written with fmt.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "runtime/metrics/evaluator.h"

namespace ynet::metrics {

// A flat JSON object built key by key, in insertion order. Keys are not checked for repeats.
class JsonObject {
 public:
  JsonObject& number(std::string_view key, double value);  // NaN and infinities become null
  JsonObject& integer(std::string_view key, int64_t value);
  JsonObject& string(std::string_view key, std::string_view value);
  JsonObject& boolean(std::string_view key, bool value);

  // The object on one line, without a trailing newline (a JSON-lines record).
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view name);
  std::string body_;
};

// Appends `text` as a JSON string literal (quoted, escaped) to `out`.
void append_json_string(std::string& out, std::string_view text);

// Adds the fields of `results` under stable names: videos, positives, classes_with_positives,
// top_k, hit_at_1, perr, gap, map and, when computed, full_map.
void add_metrics(JsonObject& json, const MetricResults& results);
std::string metrics_to_json(const MetricResults& results);

// Writes `json` plus a newline to `path` through a temporary file and a rename, so readers never
// see a half-written file. Throws std::runtime_error on failure.
void write_json_file(const std::filesystem::path& path, const std::string& json);

}  // namespace ynet::metrics
