#include "runtime/data/compression.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace ynet::data {

const char* to_string(Compression compression) {
  switch (compression) {
    case Compression::kAuto: return "auto";
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZlib: return "zlib";
  }
  return "none";
}

std::optional<Compression> parse_compression(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "auto") return Compression::kAuto;
  if (lower == "none" || lower.empty()) return Compression::kNone;
  if (lower == "gzip") return Compression::kGzip;
  if (lower == "zlib") return Compression::kZlib;
  return std::nullopt;
}

}  // namespace ynet::data
