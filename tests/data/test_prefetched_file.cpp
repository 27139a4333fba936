// PrefetchedFile: the bytes it returns, in any pattern of reads and skips, through the page cache
// and around it, and what it leaves in the cache.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <string>

#include "runtime/data/data_error.h"
#include "runtime/data/prefetched_file.h"
#include "runtime/data/record_reader.h"
#include "runtime/data/record_writer.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::TempDir;
using ynet::data::testing::write_bytes;

namespace {

std::string pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + i / 4096) % 251);
  return bytes;
}

// Writes the file to the disk and asks the kernel to drop its pages, as if it had not been read
// since the machine started. False where the file system keeps no pages to drop (tmpfs).
bool write_uncached(const std::string& path, const std::string& bytes) {
  write_bytes(path, bytes);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  return page_cache_share(path) < 0.5;
}

// Reads the file in chunks of random sizes, with random skips; checks every byte returned.
void check_random_reads(const std::string& path, const std::string& expected, PrefetchOptions options, unsigned seed) {
  PrefetchedFile file(path, options);
  CHECK(file.size() == expected.size());
  std::mt19937 rng(seed);
  std::string buffer;
  size_t position = 0;
  while (position < expected.size()) {
    const size_t want = std::uniform_int_distribution<size_t>(1, 3 * options.block_size)(rng);
    if (rng() % 4 == 0) {
      position += file.skip(want);
      continue;
    }
    buffer.resize(want);
    const size_t got = file.read(buffer.data(), want);
    REQUIRE(got == std::min(want, expected.size() - position));
    REQUIRE(buffer.compare(0, got, expected, position, got) == 0);
    position += got;
  }
  CHECK(position == expected.size());
  char byte;
  CHECK(file.read(&byte, 1) == 0);
  CHECK(file.skip(10) == 0);
}

}  // namespace

TEST_CASE("every byte, whatever the reads and skips, through the cache and around it") {
  TempDir dir;
  // Sizes around the block and the device block: one byte, part of a block, whole blocks, a tail.
  for (size_t size : {size_t{1}, size_t{4095}, size_t{4096}, size_t{3 * 16384}, size_t{5 * 16384 + 777}}) {
    const std::string bytes = pattern(size);
    const std::string path = dir.file("f" + std::to_string(size));
    write_uncached(path, bytes);
    for (bool direct : {false, true}) {
      for (int blocks : {1, 3}) {
        CAPTURE(size);
        CAPTURE(direct);
        CAPTURE(blocks);
        PrefetchOptions options;
        options.direct_reads = direct;
        options.block_size = 16384;
        options.blocks = blocks;
        for (unsigned seed = 0; seed < 8; ++seed) check_random_reads(path, bytes, options, seed);
      }
    }
  }
}

TEST_CASE("a skip far past the blocks on their way restarts the reading there") {
  TempDir dir;
  const std::string bytes = pattern(40 * 4096 + 5);
  const std::string path = dir.file("f");
  write_uncached(path, bytes);
  PrefetchOptions options;
  options.direct_reads = true;
  options.block_size = 4096;
  options.blocks = 4;
  PrefetchedFile file(path, options);
  std::string buffer(10, '\0');
  REQUIRE(file.read(buffer.data(), 10) == 10);
  CHECK(buffer == bytes.substr(0, 10));
  CHECK(file.skip(30 * 4096) == 30 * 4096);  // well past the four blocks started
  REQUIRE(file.read(buffer.data(), 10) == 10);
  CHECK(buffer == bytes.substr(30 * 4096 + 10, 10));
  CHECK(file.skip(4096 - 22) == 4096 - 22);  // to two bytes before the next block
  REQUIRE(file.read(buffer.data(), 10) == 10);
  CHECK(buffer == bytes.substr(31 * 4096 - 2, 10));
  CHECK(file.skip(bytes.size()) == bytes.size() - (31 * 4096 + 8));
  CHECK(file.read(buffer.data(), 1) == 0);
}

TEST_CASE("blocks the cache does not hold are read around it, and the cache is left as it was") {
  TempDir dir;
  const std::string bytes = pattern(6 * 65536 + 100);
  const std::string path = dir.file("f");
  if (!write_uncached(path, bytes)) {
    MESSAGE("skipped: this file system keeps every file in memory (", dir.path(), ")");
    return;
  }
  PrefetchOptions options;
  options.direct_reads = true;
  options.block_size = 65536;
  options.blocks = 3;
  {
    PrefetchedFile file(path, options);
    std::string all(bytes.size(), '\0');
    REQUIRE(file.read(all.data(), all.size()) == bytes.size());
    CHECK(all == bytes);
    const PrefetchCounts counts = file.counts();
    CHECK(counts.direct_blocks + counts.cached_blocks == 7);
    if (counts.direct_blocks == 0) MESSAGE("this file system does not read around the cache: every block went through it");
    if (counts.direct_blocks > 0) CHECK(page_cache_share(path) < 0.5);
  }
  // Through the cache (direct reads off) the file ends up in it, and is then read from it.
  options.direct_reads = false;
  {
    PrefetchedFile file(path, options);
    std::string all(bytes.size(), '\0');
    REQUIRE(file.read(all.data(), all.size()) == bytes.size());
    CHECK(file.counts().cached_blocks == 7);
  }
  CHECK(page_cache_share(path) == 1.0);
  options.direct_reads = true;
  {
    PrefetchedFile file(path, options);
    std::string all(bytes.size(), '\0');
    REQUIRE(file.read(all.data(), all.size()) == bytes.size());
    CHECK(all == bytes);
    CHECK(file.counts().direct_blocks == 0);
    CHECK(file.counts().cached_blocks == 7);
  }
  // A block the cache holds but for a page is read through it: the page is quicker to fetch
  // than the block from the disk.
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  for (off_t block = 0; block < 6; ++block) ::posix_fadvise(fd, block * 65536 + 8192, 4096, POSIX_FADV_DONTNEED);
  ::close(fd);
  CHECK(page_cache_share(path) < 1.0);
  PrefetchedFile file(path, options);
  std::string all(bytes.size(), '\0');
  REQUIRE(file.read(all.data(), all.size()) == bytes.size());
  CHECK(all == bytes);
  CHECK(file.counts().direct_blocks == 0);
}

TEST_CASE("records read around the cache are the records written") {
  TempDir dir;
  const std::string path = dir.file("r.tfrecord");
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) records.push_back(pattern(static_cast<size_t>(1000 + i * 97)).substr(0, 1000 + i * 37));
  {
    RecordWriter writer(path);
    for (const std::string& r : records) writer.write(r);
    writer.close();
  }
  const std::string bytes = ynet::data::testing::read_bytes(path);
  write_uncached(path, bytes);
  RecordReaderOptions options;
  options.direct_reads = true;
  RecordReader reader(path, options);
  std::string record;
  size_t count = 0;
  while (reader.next_into(record)) {
    REQUIRE(count < records.size());
    CHECK(record == records[count]);
    ++count;
  }
  CHECK(count == records.size());
}

TEST_CASE("a file that cannot be read is named") {
  TempDir dir;
  try {
    PrefetchedFile file(dir.file("missing"));
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.kind() == DataErrorKind::kUnreadable);
    CHECK(std::string(e.what()).find("missing") != std::string::npos);
    CHECK(std::string(e.what()).find("cannot open") != std::string::npos);
  }
  try {
    PrefetchedFile file(dir.path());
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("is a directory") != std::string::npos);
  }
  CHECK(page_cache_share(dir.file("missing")) == 1.0);
}
