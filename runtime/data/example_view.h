#pragma once
// A zero-copy scanner for serialized tf.Example / tf.SequenceExample records. It reads the wire
// format directly (protobuf's CodedInputStream over the record bytes) instead of building message
// objects, which for a 300-frame video would allocate some 600 strings. Unknown and empty fields are
// skipped, map entries may come in any order, and a key given twice means its last value (as
// protobuf map parsing does). The generated messages in proto/ stay the reference in tests.
#include <cstdint>
#include <string_view>
#include <vector>

namespace ynet::data {

enum class ValueKind { kNone, kBytes, kFloat, kInt64 };
const char* to_string(ValueKind kind);

// One map entry: the key and the serialized Feature (context) or FeatureList (feature lists).
struct MapEntryView {
  std::string_view key;
  std::string_view value;
};

// The payload of one Feature: which list it holds and that list's serialized bytes.
struct FeatureValueView {
  ValueKind kind = ValueKind::kNone;
  std::string_view list;
};

class ExampleView {
 public:
  // Scans the record's two top-level maps. Throws DecodeError(kInvalidProto). Views point into
  // `record`; vectors keep their capacity between calls.
  void parse(std::string_view record);

  const std::vector<MapEntryView>& context() const { return context_; }
  const std::vector<MapEntryView>& feature_lists() const { return feature_lists_; }
  // The last entry with this key, or nullptr.
  const MapEntryView* find_context(std::string_view key) const;
  const MapEntryView* find_feature_list(std::string_view key) const;

 private:
  std::vector<MapEntryView> context_;
  std::vector<MapEntryView> feature_lists_;
};

// Reads a serialized Feature. Throws DecodeError(kInvalidProto).
FeatureValueView parse_feature(std::string_view feature);

// Appends the values of a serialized list to `out` (packed or not). Throw DecodeError(kInvalidProto).
void read_int64_list(std::string_view list, std::vector<int64_t>& out);
void read_bytes_list(std::string_view list, std::vector<std::string_view>& out);
// Writes at most `capacity` floats to `out`; returns how many the list holds (which may be more).
size_t read_float_list(std::string_view list, float* out, size_t capacity);

// Appends the serialized Feature of every step of a serialized FeatureList.
void read_feature_list(std::string_view feature_list, std::vector<std::string_view>& steps);

}  // namespace ynet::data
