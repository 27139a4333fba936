// libFuzzer target: the TFRecord reader on arbitrary file contents (plain, GZIP, ZLIB). Every
// input must end in records or a DataError, never a crash, a hang or unbounded memory.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/data/data_error.h"
#include "runtime/data/record_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options; the rest is the file.
  const uint8_t control = data[0];
  const int fd = ::memfd_create("tfrecord_fuzz", 0);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size - 1) {
    const ssize_t got = ::write(fd, data + 1 + written, size - 1 - written);
    if (got <= 0) break;
    written += static_cast<size_t>(got);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ynet::data::RecordReaderOptions options;
  options.verify_crc = (control & 1) != 0;
  options.compression = static_cast<ynet::data::Compression>((control >> 1) % 4);
  try {
    ynet::data::RecordReader reader(path, options);
    std::string_view record;
    std::string copy;
    for (int i = 0; i < 10000; ++i) {
      try {
        const bool found = (control & 0x10) != 0 && i % 2 == 1 ? reader.skip()
                           : (control & 0x20) != 0          ? reader.next_into(copy)
                                                            : reader.next(record);
        if (!found) break;
      } catch (const ynet::data::DataError& error) {
        if (error.kind() != ynet::data::DataErrorKind::kDataCrc) break;
      }
    }
  } catch (const ynet::data::DataError&) {
    // Unreadable or empty input: reported, which is all that is asked.
  }
  ::close(fd);
  return 0;
}
