#include "runtime/data/video_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "runtime/data/data_error.h"

namespace ynet::data {

float dequantize_scale(float quant_min, float quant_max) { return (quant_max - quant_min) / 255.0f; }
float dequantize_bias(float quant_min, float quant_max) { return (quant_max - quant_min) / 512.0f + quant_min; }

void dequantize(const uint8_t* __restrict quantized, float* __restrict out, int size, float scale, float bias) {
  for (int i = 0; i < size; ++i) out[i] = static_cast<float>(quantized[i]) * scale + bias;
}

namespace {

// tf.nn.l2_normalize as the starter code calls it: x / sqrt(max(sum(x^2), 1e-12)).
void l2_normalize(float* __restrict values, int size) {
  float sum = 0.0f;
  for (int i = 0; i < size; ++i) sum += values[i] * values[i];
  const float inverse = 1.0f / std::sqrt(std::max(sum, 1e-12f));
  for (int i = 0; i < size; ++i) values[i] *= inverse;
}

// Feature { bytes_list (field 1) = BytesList { value (field 1) = <size bytes> } }, serialized the
// one way protobuf serializes it: tag, length, tag, length. Built with protobuf's own encoder.
std::string canonical_bytes_prefix(int size) {
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::internal::WireFormatLite;
  const auto value_size = static_cast<uint32_t>(size);
  const uint32_t tag = WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const auto list_size = static_cast<uint32_t>(CodedOutputStream::VarintSize32(tag) +
                                               CodedOutputStream::VarintSize32(value_size) + value_size);
  uint8_t prefix[20];
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(tag, prefix);
  end = CodedOutputStream::WriteVarint32ToArray(list_size, end);
  end = CodedOutputStream::WriteVarint32ToArray(tag, end);
  end = CodedOutputStream::WriteVarint32ToArray(value_size, end);
  return std::string(reinterpret_cast<const char*>(prefix), static_cast<size_t>(end - prefix));
}

}  // namespace

VideoDecoder::VideoDecoder(RecordFormat format)
    : format_(std::move(format)),
      feature_dim_(format_.feature_dim()),
      scale_(dequantize_scale(format_.quant_min, format_.quant_max)),
      bias_(dequantize_bias(format_.quant_min, format_.quant_max)),
      steps_(format_.features.size()) {
  for (const FeatureSpec& spec : format_.features) canonical_prefix_.push_back(canonical_bytes_prefix(spec.size));
}

void VideoDecoder::read_id(std::string& id) {
  const MapEntryView* entry = view_.find_context(format_.id_key);
  if (entry == nullptr) {
    // The usual cause is a spec written for the other YouTube-8M release ('video_id' in 2017, 'id'
    // from 2018 on), so say which keys the record does have.
    std::string present;
    for (const MapEntryView& e : view_.context()) present += fmt::format("{}'{}'", present.empty() ? "" : ", ", e.key);
    throw DecodeError(DataErrorKind::kMissingFeature, "",
                      fmt::format("missing context feature '{}' (the video id key); the record's context features "
                                  "are {} (the input's `id_key:` argument selects it)",
                                  format_.id_key, present.empty() ? "none" : present));
  }
  const FeatureValueView value = parse_feature(entry->value);
  if (value.kind != ValueKind::kBytes) {
    throw DecodeError(DataErrorKind::kWrongType, "",
                      fmt::format("id feature '{}' holds {}, expected bytes_list", format_.id_key, to_string(value.kind)));
  }
  byte_values_.clear();
  read_bytes_list(value.list, byte_values_);
  if (byte_values_.empty()) {
    throw DecodeError(DataErrorKind::kMissingFeature, "", fmt::format("id feature '{}' is empty", format_.id_key));
  }
  id.assign(byte_values_.front());
}

void VideoDecoder::read_labels(const std::string& id, std::vector<int32_t>& labels) {
  const MapEntryView* entry = view_.find_context(format_.labels_key);
  if (entry == nullptr) return;
  const FeatureValueView value = parse_feature(entry->value);
  if (value.kind == ValueKind::kNone) return;
  if (value.kind != ValueKind::kInt64) {
    throw DecodeError(DataErrorKind::kWrongType, id,
                      fmt::format("labels feature '{}' holds {}, expected int64_list", format_.labels_key,
                                  to_string(value.kind)));
  }
  label_values_.clear();
  read_int64_list(value.list, label_values_);
  for (const int64_t label : label_values_) {
    if (label < 0 || label >= format_.num_classes) {
      throw DecodeError(DataErrorKind::kLabelRange, id,
                        fmt::format("label {} out of range [0, {})", label, format_.num_classes));
    }
  }
  labels.insert(labels.end(), label_values_.begin(), label_values_.end());
}

namespace {

// A NaN or an infinity in the features would surface as a NaN loss or score that names no record.
// An integer test of the exponent bits, OR-reduced, so that the loop vectorises (a float compare
// would not be reordered without -ffast-math); the index is looked for only when there is one.
int first_non_finite(const float* values, int size) {
  uint32_t any = 0;
  for (int i = 0; i < size; ++i) {
    uint32_t bits;
    std::memcpy(&bits, values + i, 4);
    any |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  if (any == 0) return -1;
  for (int i = 0; i < size; ++i)
    if (!std::isfinite(values[i])) return i;
  return -1;
}

// A frame's bytes into a batch row: dequantized, or as they are.
void store_bytes(const char* bytes, float* out, int size, float scale, float bias) {
  dequantize(reinterpret_cast<const uint8_t*>(bytes), out, size, scale, bias);
}
void store_bytes(const char* bytes, uint8_t* out, int size, float, float) { std::memcpy(out, bytes, static_cast<size_t>(size)); }

}  // namespace

template <class Value>
void VideoDecoder::decode_values(std::string_view feature, const std::string& id, size_t index, int frame, Value* out) {
  const FeatureSpec& spec = format_.features[index];
  // The common case, a frame exactly as TensorFlow writes it, is recognised by its bytes (the
  // parse below takes three times as long as the dequantisation); anything else goes through it.
  const std::string& prefix = canonical_prefix_[index];
  if (feature.size() == prefix.size() + static_cast<size_t>(spec.size) && feature.starts_with(prefix)) {
    store_bytes(feature.data() + prefix.size(), out, spec.size, scale_, bias_);
    return;
  }
  const FeatureValueView value = parse_feature(feature);
  // Built only on the error path: the hot path must not allocate.
  const auto where = [&] {
    return frame < 0 ? fmt::format("feature '{}'", spec.name) : fmt::format("frame {} of '{}'", frame, spec.name);
  };
  if (value.kind == ValueKind::kBytes) {
    byte_values_.clear();
    read_bytes_list(value.list, byte_values_);
    if (byte_values_.size() != 1) {
      throw DecodeError(DataErrorKind::kFrameSize, id,
                        fmt::format("{} has {} bytes values, expected one", where(), byte_values_.size()));
    }
    const std::string_view bytes = byte_values_.front();
    if (bytes.size() != static_cast<size_t>(spec.size)) {
      throw DecodeError(DataErrorKind::kFrameSize, id,
                        fmt::format("{} has {} bytes, expected {}", where(), bytes.size(), spec.size));
    }
    store_bytes(bytes.data(), out, spec.size, scale_, bias_);
  } else if (value.kind == ValueKind::kFloat) {
    if constexpr (std::is_same_v<Value, float>) {
      const size_t count = read_float_list(value.list, out, static_cast<size_t>(spec.size));
      if (count != static_cast<size_t>(spec.size)) {
        throw DecodeError(DataErrorKind::kFrameSize, id,
                          fmt::format("{} has {} floats, expected {}", where(), count, spec.size));
      }
      if (const int bad = first_non_finite(out, spec.size); bad >= 0) {
        throw DecodeError(DataErrorKind::kNonFinite, id,
                          fmt::format("{} holds {} at value {}", where(), out[bad], bad));
      }
    } else {
      throw DecodeError(DataErrorKind::kWrongType, id,
                        fmt::format("{} holds floats, but this run reads frames as their stored bytes (its first "
                                    "record held bytes); a data set mixing float and bytes frames is not supported",
                                    where()));
    }
  } else {
    throw DecodeError(DataErrorKind::kWrongType, id,
                      fmt::format("{} holds {}, expected bytes_list or float_list", where(), to_string(value.kind)));
  }
}

template <class Value>
int VideoDecoder::decode_frames(const std::string& id, Value* features) {
  int frames = 0;
  for (size_t f = 0; f < format_.features.size(); ++f) {
    const FeatureSpec& spec = format_.features[f];
    const MapEntryView* entry = view_.find_feature_list(spec.name);
    if (entry == nullptr) {
      throw DecodeError(DataErrorKind::kMissingFeature, id, fmt::format("missing feature list '{}'", spec.name));
    }
    steps_[f].clear();
    read_feature_list(entry->value, steps_[f]);
    const int count = static_cast<int>(steps_[f].size());
    if (f == 0) {
      if (count == 0) throw DecodeError(DataErrorKind::kFrameCount, id, fmt::format("feature list '{}' is empty", spec.name));
      frames = count;
    } else if (count != frames) {
      throw DecodeError(DataErrorKind::kFrameCount, id,
                        fmt::format("feature list '{}' has {} frames but '{}' has {}", spec.name, count,
                                    format_.features[0].name, frames));
    }
  }
  const int first = frames > format_.skip_frames ? format_.skip_frames : 0;
  const int length = std::min(frames - first, format_.max_frames);
  for (int t = 0; t < length; ++t) {
    Value* row = features + static_cast<size_t>(t) * feature_dim_;
    int column = 0;
    for (size_t f = 0; f < format_.features.size(); ++f) {
      const FeatureSpec& spec = format_.features[f];
      decode_values(steps_[f][static_cast<size_t>(first + t)], id, f, first + t, row + column);
      column += spec.size;
    }
    if constexpr (std::is_same_v<Value, float>) {
      if (format_.normalize == Normalize::kL2) l2_normalize(row, feature_dim_);
    }
  }
  const size_t padded = static_cast<size_t>(format_.max_frames - length) * feature_dim_;
  std::memset(features + static_cast<size_t>(length) * feature_dim_, 0, padded * sizeof(Value));
  return length;
}

void VideoDecoder::decode_video_level(const std::string& id, float* features) {
  int column = 0;
  for (size_t f = 0; f < format_.features.size(); ++f) {
    const FeatureSpec& spec = format_.features[f];
    const MapEntryView* entry = view_.find_context(spec.name);
    if (entry == nullptr) {
      throw DecodeError(DataErrorKind::kMissingFeature, id, fmt::format("missing context feature '{}'", spec.name));
    }
    decode_values(entry->value, id, f, -1, features + column);
    column += spec.size;
  }
  if (format_.normalize == Normalize::kL2) l2_normalize(features, feature_dim_);
}

template <class Value>
int VideoDecoder::decode_record(std::string_view record, Value* out, std::vector<int32_t>& labels, std::string& id) {
  id.clear();
  view_.parse(record);
  read_id(id);
  const size_t labels_before = labels.size();
  try {
    read_labels(id, labels);
    if constexpr (std::is_same_v<Value, float>) {
      if (format_.level == Level::kVideo) {
        decode_video_level(id, out);
        return 1;
      }
    }
    return decode_frames(id, out);
  } catch (const DecodeError& error) {
    labels.resize(labels_before);
    if (error.video_id().empty() && !id.empty()) throw DecodeError(error.kind(), id, error.what());
    throw;
  }
}

int VideoDecoder::decode(std::string_view record, float* features, std::vector<int32_t>& labels, std::string& id) {
  return decode_record(record, features, labels, id);
}

int VideoDecoder::decode(std::string_view record, uint8_t* frames, std::vector<int32_t>& labels, std::string& id) {
  if (format_.frame_values != FrameValues::kStoredBytes)
    throw std::logic_error("VideoDecoder: stored bytes are decoded for FrameValues::kStoredBytes only");
  return decode_record(record, frames, labels, id);
}

}  // namespace ynet::data
