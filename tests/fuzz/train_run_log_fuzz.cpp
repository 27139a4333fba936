// libFuzzer target: what a resumed run reads back of its own logs (RunLog::truncate: metrics.jsonl
// and the TensorBoard event files) on arbitrary contents, as a kill at any moment or a damaged disk
// leaves them. Must end without a crash or a hang, and leave the event file a whole number of
// records: the reader must accept everything the truncation kept.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "runtime/data/data_error.h"
#include "runtime/data/record_reader.h"
#include "runtime/train/run_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "ynet-run-log-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  if (size < 2) return 0;
  // The first byte splits the input between the two files and picks the step to keep.
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = bytes.size() * data[0] / 256;
  const std::string events = dir + "/events.out.tfevents.0.fuzz";
  std::ofstream(dir + "/metrics.jsonl", std::ios::binary) << bytes.substr(0, split);
  std::ofstream(events, std::ios::binary) << bytes.substr(split);
  ynet::train::RunLog::truncate(dir, data[0] % 16);
  if (std::filesystem::exists(events)) {
    ynet::data::RecordReader reader(events, {ynet::data::Compression::kNone, true});
    std::string_view record;
    try {
      while (reader.next(record)) {
      }
    } catch (const ynet::data::DataError&) {
      std::abort();  // the truncation kept a damaged record
    }
  }
  std::error_code ignored;
  std::filesystem::remove(events, ignored);
  return 0;
}
