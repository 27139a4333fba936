#include "runtime/data/frame_probe.h"

#include <string_view>
#include <vector>

#include "runtime/data/data_error.h"
#include "runtime/data/example_view.h"
#include "runtime/data/file_glob.h"
#include "runtime/data/record_reader.h"

namespace ynet::data {

FrameEncoding probe_frame_encoding(const DatasetConfig& config) {
  if (config.format.level != Level::kFrame) return FrameEncoding::kUnknown;
  try {
    const std::vector<std::string> files = expand_globs(config.files);
    if (files.empty()) return FrameEncoding::kUnknown;
    RecordReaderOptions options{config.compression, config.verify_crc};
    options.read_ahead = false;
    RecordReader reader(files.front(), options);
    std::string_view record;
    if (!reader.next(record)) return FrameEncoding::kUnknown;
    ExampleView view;
    view.parse(record);
    std::vector<std::string_view> steps;
    for (const FeatureSpec& spec : config.format.features) {
      const MapEntryView* entry = view.find_feature_list(spec.name);
      if (entry == nullptr) return FrameEncoding::kUnknown;
      steps.clear();
      read_feature_list(entry->value, steps);
      if (steps.empty()) return FrameEncoding::kUnknown;
      const ValueKind kind = parse_feature(steps.front()).kind;
      if (kind == ValueKind::kFloat) return FrameEncoding::kFloats;
      if (kind != ValueKind::kBytes) return FrameEncoding::kUnknown;
    }
    return FrameEncoding::kBytes;
  } catch (const DataError&) {
    return FrameEncoding::kUnknown;
  } catch (const DecodeError&) {
    return FrameEncoding::kUnknown;
  }
}

}  // namespace ynet::data
