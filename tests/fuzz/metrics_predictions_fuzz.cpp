// libFuzzer target: the predictions CSV reader on arbitrary text. Every input must end in rows or
// a std::runtime_error naming the line, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "runtime/metrics/predictions_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ynet::metrics::parse_predictions_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  } catch (const std::runtime_error&) {
    // Malformed: reported, which is all that is asked.
  }
  return 0;
}
