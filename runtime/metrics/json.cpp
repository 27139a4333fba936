#include "runtime/metrics/json.h"

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
  std::filesystem::path partial = path;
  partial += ".partial";
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (file == nullptr) {
    throw std::runtime_error(fmt::format("cannot create '{}': {}", partial.string(), std::strerror(errno)));
  }
  const bool written = std::fwrite(json.data(), 1, json.size(), file) == json.size() && std::fputc('\n', file) != EOF;
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  std::error_code error;
  if (!written || !closed) {
    std::filesystem::remove(partial, error);
    throw std::runtime_error(fmt::format("cannot write '{}': {}", partial.string(), std::strerror(written ? errno : write_errno)));
  }
  std::filesystem::rename(partial, path, error);
  if (error) {
    const std::string reason = error.message();
    std::filesystem::remove(partial, error);
    throw std::runtime_error(fmt::format("cannot move the results into '{}': {}", path.string(), reason));
  }
}

}  // namespace ynet::metrics
