#include "runtime/data/example_view.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <cstring>

#include "runtime/data/data_error.h"

namespace ynet::data {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

constexpr int kLengthDelimited = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

[[noreturn]] void invalid(const char* what) {
  throw DecodeError(DataErrorKind::kInvalidProto, "", std::string("not a valid tf.Example/SequenceExample: ") + what);
}

CodedInputStream open_stream(std::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) invalid("record larger than 2 GiB");
  return CodedInputStream(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
}

// Reads a length-delimited field's bytes as a view into `bytes`, which `input` scans.
std::string_view read_span(CodedInputStream& input, std::string_view bytes, const char* what) {
  uint32_t length;
  if (!input.ReadVarint32(&length)) invalid(what);
  const int position = input.CurrentPosition();
  if (length > bytes.size() - static_cast<size_t>(position)) invalid(what);
  if (!input.Skip(static_cast<int>(length))) invalid(what);
  return bytes.substr(static_cast<size_t>(position), length);
}

void skip_field(CodedInputStream& input, uint32_t tag, const char* what) {
  if (!WireFormatLite::SkipField(&input, tag)) invalid(what);
}

// Reads the entries of a map<string, Feature|FeatureList> serialized as message `features`.
void read_map(std::string_view features, std::vector<MapEntryView>& out, const char* what) {
  CodedInputStream input = open_stream(features);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) != 1 || WireFormatLite::GetTagWireType(tag) != kLengthDelimited) {
      skip_field(input, tag, what);
      continue;
    }
    const std::string_view entry_bytes = read_span(input, features, what);
    MapEntryView entry;
    CodedInputStream entry_input = open_stream(entry_bytes);
    while (uint32_t entry_tag = entry_input.ReadTag()) {
      const int field = WireFormatLite::GetTagFieldNumber(entry_tag);
      if ((field == 1 || field == 2) && WireFormatLite::GetTagWireType(entry_tag) == kLengthDelimited) {
        (field == 1 ? entry.key : entry.value) = read_span(entry_input, entry_bytes, what);
      } else {
        skip_field(entry_input, entry_tag, what);
      }
    }
    if (!entry_input.ConsumedEntireMessage()) invalid(what);
    out.push_back(entry);
  }
  if (!input.ConsumedEntireMessage()) invalid(what);
}

const MapEntryView* find_last(const std::vector<MapEntryView>& entries, std::string_view key) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

}  // namespace

const char* to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone: return "no value";
    case ValueKind::kBytes: return "bytes_list";
    case ValueKind::kFloat: return "float_list";
    case ValueKind::kInt64: return "int64_list";
  }
  return "no value";
}

void ExampleView::parse(std::string_view record) {
  context_.clear();
  feature_lists_.clear();
  CodedInputStream input = open_stream(record);
  while (uint32_t tag = input.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if ((field == 1 || field == 2) && WireFormatLite::GetTagWireType(tag) == kLengthDelimited) {
      const std::string_view map_bytes = read_span(input, record, "bad top-level field");
      if (field == 1) {
        read_map(map_bytes, context_, "bad context/features map");
      } else {
        // FeatureLists is a message whose field 1 is the map.
        read_map(map_bytes, feature_lists_, "bad feature_lists map");
      }
    } else {
      skip_field(input, tag, "bad top-level field");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad top-level field");
}

const MapEntryView* ExampleView::find_context(std::string_view key) const { return find_last(context_, key); }

const MapEntryView* ExampleView::find_feature_list(std::string_view key) const {
  return find_last(feature_lists_, key);
}

FeatureValueView parse_feature(std::string_view feature) {
  FeatureValueView result;
  CodedInputStream input = open_stream(feature);
  while (uint32_t tag = input.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if (field >= 1 && field <= 3 && WireFormatLite::GetTagWireType(tag) == kLengthDelimited) {
      result.list = read_span(input, feature, "bad Feature");
      result.kind = field == 1 ? ValueKind::kBytes : field == 2 ? ValueKind::kFloat : ValueKind::kInt64;
    } else {
      skip_field(input, tag, "bad Feature");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad Feature");
  return result;
}

void read_int64_list(std::string_view list, std::vector<int64_t>& out) {
  CodedInputStream input = open_stream(list);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) != 1) {
      skip_field(input, tag, "bad Int64List");
      continue;
    }
    const int wire_type = WireFormatLite::GetTagWireType(tag);
    if (wire_type == kLengthDelimited) {
      const std::string_view packed = read_span(input, list, "bad Int64List");
      CodedInputStream values = open_stream(packed);
      while (values.BytesUntilLimit() > 0) {
        uint64_t value;
        if (!values.ReadVarint64(&value)) invalid("bad Int64List");
        out.push_back(static_cast<int64_t>(value));
      }
    } else if (wire_type == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t value;
      if (!input.ReadVarint64(&value)) invalid("bad Int64List");
      out.push_back(static_cast<int64_t>(value));
    } else {
      skip_field(input, tag, "bad Int64List");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad Int64List");
}

void read_bytes_list(std::string_view list, std::vector<std::string_view>& out) {
  CodedInputStream input = open_stream(list);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == 1 && WireFormatLite::GetTagWireType(tag) == kLengthDelimited) {
      out.push_back(read_span(input, list, "bad BytesList"));
    } else {
      skip_field(input, tag, "bad BytesList");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad BytesList");
}

size_t read_float_list(std::string_view list, float* out, size_t capacity) {
  size_t count = 0;
  CodedInputStream input = open_stream(list);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) != 1) {
      skip_field(input, tag, "bad FloatList");
      continue;
    }
    const int wire_type = WireFormatLite::GetTagWireType(tag);
    if (wire_type == kLengthDelimited) {
      const std::string_view packed = read_span(input, list, "bad FloatList");
      if (packed.size() % 4 != 0) invalid("bad FloatList");
      const size_t values = packed.size() / 4;
      if (count < capacity) std::memcpy(out + count, packed.data(), 4 * std::min(values, capacity - count));
      count += values;
    } else if (wire_type == WireFormatLite::WIRETYPE_FIXED32) {
      uint32_t bits;
      if (!input.ReadLittleEndian32(&bits)) invalid("bad FloatList");
      if (count < capacity) std::memcpy(out + count, &bits, 4);
      ++count;
    } else {
      skip_field(input, tag, "bad FloatList");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad FloatList");
  return count;
}

void read_feature_list(std::string_view feature_list, std::vector<std::string_view>& steps) {
  CodedInputStream input = open_stream(feature_list);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == 1 && WireFormatLite::GetTagWireType(tag) == kLengthDelimited) {
      steps.push_back(read_span(input, feature_list, "bad FeatureList"));
    } else {
      skip_field(input, tag, "bad FeatureList");
    }
  }
  if (!input.ConsumedEntireMessage()) invalid("bad FeatureList");
}

}  // namespace ynet::data
