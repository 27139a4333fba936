#pragma once
#include <optional>
#include <string_view>

namespace ynet::data {

// kAuto reads the first bytes of a file: a valid TFRecord header means plain, the gzip magic means
// GZIP, a zlib header means ZLIB.
enum class Compression { kAuto, kNone, kGzip, kZlib };

const char* to_string(Compression compression);
// Accepts auto, none, gzip, zlib (as TensorFlow spells the last two: GZIP, ZLIB).
std::optional<Compression> parse_compression(std::string_view text);

}  // namespace ynet::data
