#include "runtime/data/record_format.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

namespace ynet::data {

int RecordFormat::feature_dim() const {
  int total = 0;
  for (const FeatureSpec& spec : features) total += spec.size;
  return total;
}

std::string RecordFormat::validate() const {
  if (features.empty()) return "no features configured";
  std::set<std::string> names;
  for (const FeatureSpec& spec : features) {
    if (spec.name.empty()) return "a feature has an empty name";
    if (spec.size <= 0 || spec.size > (1 << 20)) return fmt::format("feature '{}' has size {}", spec.name, spec.size);
    if (!names.insert(spec.name).second) return fmt::format("feature '{}' is given twice", spec.name);
  }
  if (id_key.empty()) return "the id key is empty";
  if (num_classes <= 0) return fmt::format("number of classes must be positive (got {})", num_classes);
  if (level == Level::kFrame && (max_frames <= 0 || max_frames > 100000)) {
    return fmt::format("max_frames must be in 1..100000 (got {})", max_frames);
  }
  if (skip_frames < 0) return fmt::format("skip_frames must not be negative (got {})", skip_frames);
  if (!(quant_max > quant_min)) return "the quantisation range is empty";
  if (frame_values == FrameValues::kStoredBytes && (level != Level::kFrame || normalize != Normalize::kNone))
    return "stored bytes are kept for frame-level records without normalisation only";
  return {};
}

const char* to_string(Level level) { return level == Level::kFrame ? "frame" : "video"; }
const char* to_string(Normalize normalize) { return normalize == Normalize::kL2 ? "l2" : "none"; }

std::vector<FeatureSpec> parse_feature_specs(const std::string& text, std::string& error) {
  std::vector<FeatureSpec> specs;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t colon = item.find(':');
    FeatureSpec spec;
    if (colon == std::string::npos || colon == 0) {
      error = fmt::format("'{}' is not NAME:SIZE", item);
      return {};
    }
    spec.name = item.substr(0, colon);
    const char* first = item.data() + colon + 1;
    const char* last = item.data() + item.size();
    const auto [end, status] = std::from_chars(first, last, spec.size);
    if (status != std::errc() || end != last || spec.size <= 0) {
      error = fmt::format("'{}' has no positive size", item);
      return {};
    }
    specs.push_back(spec);
    start = comma + 1;
  }
  return specs;
}

}  // namespace ynet::data
