// CRC32C and the TFRecord framing: known values, round trips, and every kind of damage.
#include <doctest/doctest.h>

#include <cstring>

#include "runtime/data/crc32c.h"
#include "runtime/data/data_error.h"
#include "runtime/data/record_reader.h"
#include "runtime/data/record_writer.h"
#include "tests/data/test_util.h"

using namespace ynet::data;
using ynet::data::testing::read_bytes;
using ynet::data::testing::TempDir;
using ynet::data::testing::write_bytes;

namespace {

// The reader's two ways to return a record: a view of its buffer, or a copy into a string.
enum class ReadApi { kView, kInto };

std::vector<std::string> read_all(const std::string& path, RecordReaderOptions options = {},
                                  ReadApi api = ReadApi::kView) {
  RecordReader reader(path, options);
  std::vector<std::string> records;
  std::string_view view;
  std::string copy = "stale bytes";
  while (api == ReadApi::kView ? reader.next(view) : reader.next_into(copy))
    records.emplace_back(api == ReadApi::kView ? std::string(view) : copy);
  return records;
}

// Both ways of reading fail with the same kind and message; returns those.
DataErrorKind read_error_kind(const std::string& path, std::string* message = nullptr, RecordReaderOptions options = {}) {
  std::string messages[2];
  DataErrorKind kinds[2] = {DataErrorKind::kNoMatch, DataErrorKind::kNoMatch};
  for (ReadApi api : {ReadApi::kView, ReadApi::kInto}) {
    const auto i = static_cast<size_t>(api);
    try {
      read_all(path, options, api);
      FAIL("no error");
    } catch (const DataError& error) {
      messages[i] = error.what();
      kinds[i] = error.kind();
    }
  }
  CHECK(kinds[1] == kinds[0]);
  CHECK(messages[1] == messages[0]);
  if (message != nullptr) *message = messages[0];
  return kinds[0];
}

const std::vector<std::string> kRecords = {"first record", "", std::string(100000, 'x'), "last"};

}  // namespace

TEST_CASE("CRC32C known values") {
  CHECK(crc32c("123456789", 9) == 0xE3069283u);
  CHECK(crc32c_extend_portable(0, "123456789", 9) == 0xE3069283u);
  // RFC 3720 (iSCSI) test vectors.
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xff');
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[static_cast<size_t>(i)] = static_cast<char>(i);
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8a9136aau);
  CHECK(crc32c(ones.data(), ones.size()) == 0x62a8ab43u);
  CHECK(crc32c(ascending.data(), ascending.size()) == 0x46dd794eu);
  CHECK(crc32c("", 0) == 0u);
}

TEST_CASE("CRC32C hardware and table paths agree, also when extended piecewise") {
  std::string data(4099, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + 7) % 251);
  for (size_t length : {0u, 1u, 7u, 8u, 9u, 63u, 4099u}) {
    CHECK(crc32c(data.data(), length) == crc32c_extend_portable(0, data.data(), length));
  }
  // Lengths around the three-stream blocks of the hardware path (3 x 4096 bytes), from unaligned starts.
  std::string large(5 * 12288 + 77, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 7919 + i / 251) % 256);
  for (size_t length : {12287u, 12288u, 12289u, 24576u, 24583u, 5u * 12288u + 70u}) {
    for (size_t start : {0u, 3u}) {
      CAPTURE(length);
      CAPTURE(start);
      CHECK(crc32c(large.data() + start, length) == crc32c_extend_portable(0, large.data() + start, length));
      CHECK(crc32c_extend(crc32c(large.data() + start, 100), large.data() + start + 100, length - 100) ==
            crc32c_extend_portable(0, large.data() + start, length));
    }
  }
  const uint32_t whole = crc32c(data.data(), data.size());
  CHECK(crc32c_extend(crc32c(data.data(), 1000), data.data() + 1000, data.size() - 1000) == whole);
  const std::string note = std::string("hardware CRC32C: ") + (crc32c_uses_hardware() ? "yes" : "no");
  MESSAGE(note);
}

TEST_CASE("CRC masking round-trips and matches TensorFlow's definition") {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xffffffffu}) {
    CHECK(crc32c_unmask(crc32c_mask(crc)) == crc);
    CHECK(crc32c_mask(crc) == ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
  }
}

TEST_CASE("write then read: plain, GZIP, ZLIB, detected automatically") {
  TempDir dir;
  for (Compression compression : {Compression::kNone, Compression::kGzip, Compression::kZlib}) {
    CAPTURE(to_string(compression));
    const std::string path = dir.file(std::string("records.") + to_string(compression));
    {
      RecordWriter writer(path, compression);
      for (const std::string& record : kRecords) writer.write(record);
      writer.close();
      CHECK(writer.records_written() == kRecords.size());
    }
    RecordReader reader(path);
    CHECK(reader.compression() == compression);
    std::string_view record;
    for (size_t i = 0; i < kRecords.size(); ++i) {
      REQUIRE(reader.next(record));
      CHECK(record == kRecords[i]);
      CHECK(reader.record_index() == static_cast<int64_t>(i));
    }
    CHECK_FALSE(reader.next(record));
    CHECK_FALSE(reader.next(record));
    CHECK(read_all(path, {compression, true}) == kRecords);
    CHECK(read_all(path, {compression, true}, ReadApi::kInto) == kRecords);
  }
}

TEST_CASE("records larger than the reader's buffer arrive whole, read either way") {
  TempDir dir;
  std::vector<std::string> records;
  for (size_t size : {size_t{351000}, size_t{3}, size_t{1} << 20, size_t{65536 - 16}, size_t{65536}, size_t{70000}}) {
    std::string record(size, '\0');
    for (size_t i = 0; i < size; ++i) record[i] = static_cast<char>((i * 7919 + size) % 251);
    records.push_back(std::move(record));
  }
  for (Compression compression : {Compression::kNone, Compression::kGzip}) {
    CAPTURE(to_string(compression));
    const std::string path = dir.file(std::string("large.") + to_string(compression));
    {
      RecordWriter writer(path, compression);
      for (const std::string& record : records) writer.write(record);
      writer.close();
    }
    CHECK(read_all(path, {}, ReadApi::kInto) == records);
    CHECK(read_all(path, {}, ReadApi::kView) == records);
    // Offsets and indices are the same as when reading through the buffer.
    RecordReader reader(path);
    std::string record;
    for (size_t i = 0; i < 3; ++i) REQUIRE(reader.next_into(record));
    CHECK(reader.record_index() == 2);
    if (compression == Compression::kNone) CHECK(reader.record_offset() == 351000 + 16 + 3 + 16);
  }
  // Cut inside the megabyte record, which next_into reads past the buffer.
  const std::string bytes = read_bytes(dir.file("large.none"));
  write_bytes(dir.file("cut.tfrecord"), bytes.substr(0, 351000 + 16 + 3 + 16 + 12 + 500000));
  std::string message;
  CHECK(read_error_kind(dir.file("cut.tfrecord"), &message) == DataErrorKind::kTruncated);
  CHECK(message.find("record 2: truncated record: 1048576 bytes announced, file ends after 500000") != std::string::npos);
}

TEST_CASE("a length with a valid CRC but no data behind it is a truncated record, not an allocation") {
  TempDir dir;
  char header[12];
  const uint64_t length = uint64_t{1} << 50;
  std::memcpy(header, &length, 8);
  const uint32_t masked = crc32c_mask(crc32c(header, 8));
  std::memcpy(header + 8, &masked, 4);
  write_bytes(dir.file("huge.tfrecord"), std::string(header, 12) + std::string(1000, 'x'));
  std::string message;
  CHECK(read_error_kind(dir.file("huge.tfrecord"), &message) == DataErrorKind::kTruncated);
  CHECK(message.find("1125899906842624 bytes announced, file ends after 1000") != std::string::npos);
}

TEST_CASE("plain framing is byte-exact and offsets are reported") {
  TempDir dir;
  const std::string path = dir.file("plain.tfrecord");
  ynet::data::testing::write_records(path, {"abc", "hello"});
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() == 16 + 3 + 16 + 5);
  uint64_t length;
  std::memcpy(&length, bytes.data(), 8);
  CHECK(length == 3);
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + 15, 4);
  CHECK(crc32c_unmask(stored) == crc32c("abc", 3));
  RecordReader reader(path);
  std::string_view record;
  REQUIRE(reader.next(record));
  CHECK(reader.record_offset() == 0);
  REQUIRE(reader.skip());
  CHECK(reader.record_offset() == 19);
  CHECK(reader.record_index() == 1);
  CHECK_FALSE(reader.skip());
}

TEST_CASE("damaged files give their kind, file and byte offset") {
  TempDir dir;
  const std::string good = dir.file("good.tfrecord");
  ynet::data::testing::write_records(good, {"record zero", "record one", "record two"});
  const std::string bytes = read_bytes(good);
  const size_t second = 16 + 11;  // offset of record 1
  std::string message;

  SUBCASE("length CRC") {
    std::string damaged = bytes;
    damaged[second + 9] ^= 0x01;
    write_bytes(dir.file("bad.tfrecord"), damaged);
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kLengthCrc);
    CHECK(message.find("bad.tfrecord: byte 27: record 1: length CRC mismatch (stored 0x") != std::string::npos);
    // The reader resynchronises on the next header whose length and CRC agree: record two.
    CHECK(message.find("skipped 26 bytes to the next valid record header, at byte 53") != std::string::npos);
    RecordReader reader(dir.file("bad.tfrecord"));
    std::string_view record;
    REQUIRE(reader.next(record));
    try {
      reader.next(record);
      FAIL("no error");
    } catch (const DataError& error) {
      CHECK(error.bytes_lost() == 26);
    }
    REQUIRE(reader.next(record));
    CHECK(record == "record two");
    CHECK(reader.record_offset() == 53);
    CHECK_FALSE(reader.next(record));
  }
  SUBCASE("length CRC with nothing valid after it: the rest of the file is named") {
    std::string damaged = bytes.substr(0, second + 20);
    damaged[second + 9] ^= 0x01;
    write_bytes(dir.file("bad.tfrecord"), damaged);
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kLengthCrc);
    CHECK(message.find("no valid record header follows: the last 20 bytes of the file are unreadable") !=
          std::string::npos);
  }
  SUBCASE("a record cut inside its data CRC says so") {
    write_bytes(dir.file("bad.tfrecord"), bytes.substr(0, bytes.size() - 2));
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kTruncated);
    CHECK(message.find("the file ends 2 bytes into the 4-byte data CRC after the 10 bytes of data") != std::string::npos);
  }
  SUBCASE("data CRC, then the reader goes on") {
    std::string damaged = bytes;
    damaged[second + 12] ^= 0x20;
    write_bytes(dir.file("bad.tfrecord"), damaged);
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kDataCrc);
    CHECK(message.find("bad.tfrecord: byte 27: record 1: data CRC mismatch (stored 0x") != std::string::npos);
    RecordReader reader(dir.file("bad.tfrecord"));
    std::string_view record;
    REQUIRE(reader.next(record));
    CHECK_THROWS_AS(reader.next(record), DataError);
    REQUIRE(reader.next(record));
    CHECK(record == "record two");
    // Without verification the damaged record is returned as it is.
    CHECK(read_all(dir.file("bad.tfrecord"), {Compression::kAuto, false}).size() == 3);
  }
  SUBCASE("truncated data") {
    write_bytes(dir.file("bad.tfrecord"), bytes.substr(0, bytes.size() - 6));
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kTruncated);
    CHECK(message.find("record 2: truncated record") != std::string::npos);
  }
  SUBCASE("truncated header") {
    write_bytes(dir.file("bad.tfrecord"), bytes.substr(0, second + 5));
    CHECK(read_error_kind(dir.file("bad.tfrecord"), &message) == DataErrorKind::kTruncated);
    CHECK(message.find("byte 27: record 1: truncated record: file ends 5 bytes into the 12-byte header") !=
          std::string::npos);
  }
  SUBCASE("empty file") {
    write_bytes(dir.file("empty.tfrecord"), "");
    CHECK(read_error_kind(dir.file("empty.tfrecord"), &message) == DataErrorKind::kEmptyFile);
    CHECK(message.find("empty.tfrecord: empty file") != std::string::npos);
  }
  SUBCASE("missing file and directory") {
    CHECK(read_error_kind(dir.file("missing.tfrecord"), &message) == DataErrorKind::kUnreadable);
    CHECK(message.find("missing.tfrecord: cannot open") != std::string::npos);
    CHECK(read_error_kind(dir.path()) == DataErrorKind::kUnreadable);
  }
  SUBCASE("garbage") {
    write_bytes(dir.file("garbage.tfrecord"), std::string(100, '\x5a'));
    CHECK(read_error_kind(dir.file("garbage.tfrecord")) == DataErrorKind::kLengthCrc);
  }
  SUBCASE("corrupt gzip stream") {
    {
      RecordWriter writer(dir.file("z.gz"), Compression::kGzip);
      for (int i = 0; i < 50; ++i) writer.write(std::string(1000, static_cast<char>('a' + i % 26)));
      writer.close();
    }
    std::string compressed = read_bytes(dir.file("z.gz"));
    compressed.resize(compressed.size() / 2);
    write_bytes(dir.file("cut.gz"), compressed);
    const DataErrorKind kind = read_error_kind(dir.file("cut.gz"), &message);
    CHECK(kind == DataErrorKind::kBadCompression);
    // The records before the cut are read, and the error names the first one that is not whole.
    RecordReader reader(dir.file("cut.gz"));
    std::string_view record;
    int whole = 0;
    try {
      while (reader.next(record)) ++whole;
    } catch (const DataError& error) {
      CHECK(error.offset() == static_cast<uint64_t>(whole) * 1016);
      CHECK(std::string(error.what()).find("record " + std::to_string(whole) + ": corrupt compressed stream") !=
            std::string::npos);
    }
    CHECK(whole > 0);
    compressed[40] ^= 0x55;
    compressed[41] ^= 0x55;
    write_bytes(dir.file("flipped.gz"), compressed);
    CHECK_THROWS_AS(read_all(dir.file("flipped.gz")), DataError);
  }
}
