// libFuzzer target: the checkpoint reader (parsing, format, every checksum) on arbitrary file
// contents. Every input must end in a verified checkpoint or CheckpointDamaged, never a crash, a
// hang or unbounded memory.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/train/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("checkpoint_fuzz", 0);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    const ssize_t got = ::write(fd, data + written, size - written);
    if (got <= 0) break;
    written += static_cast<size_t>(got);
  }
  try {
    ynet::train::verify_checkpoint("/proc/self/fd/" + std::to_string(fd));
  } catch (const ynet::train::CheckpointDamaged&) {
    // Damaged or not a checkpoint: reported, which is all that is asked.
  }
  ::close(fd);
  return 0;
}
