#include "runtime/metrics/json.h"

#include "runtime/io/output_file.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace ynet::metrics {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(ch));
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void JsonObject::key(std::string_view name) {
  if (!body_.empty()) body_ += ", ";
  append_json_string(body_, name);
  body_ += ": ";
}

JsonObject& JsonObject::number(std::string_view name, double value) {
  key(name);
  // fmt's default format is the shortest text that reads back as the same double.
  if (std::isfinite(value)) {
    fmt::format_to(std::back_inserter(body_), "{}", value);
  } else {
    body_ += "null";
  }
  return *this;
}

JsonObject& JsonObject::integer(std::string_view name, int64_t value) {
  key(name);
  fmt::format_to(std::back_inserter(body_), "{}", value);
  return *this;
}

JsonObject& JsonObject::string(std::string_view name, std::string_view value) {
  key(name);
  append_json_string(body_, value);
  return *this;
}

JsonObject& JsonObject::boolean(std::string_view name, bool value) {
  key(name);
  body_ += value ? "true" : "false";
  return *this;
}

void add_metrics(JsonObject& json, const MetricResults& results) {
  json.integer("videos", results.videos)
      .integer("positives", results.positives)
      .integer("classes_with_positives", results.classes_with_positives)
      .integer("top_k", results.top_k)
      .number("hit_at_1", results.hit_at_1)
      .number("perr", results.perr)
      .number("gap", results.gap)
      .number("map", results.map);
  if (results.full_map) json.number("full_map", *results.full_map);
}

std::string metrics_to_json(const MetricResults& results) {
  JsonObject json;
  add_metrics(json, results);
  return json.str();
}

void write_json_file(const std::filesystem::path& path, const std::string& json) {
  io::OutputFile out(path.string());
  out.write(json);
  out.write("\n");
  out.commit();
}

}  // namespace ynet::metrics
