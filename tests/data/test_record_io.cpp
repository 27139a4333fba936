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

std::vector<std::string> read_all(const std::string& path, RecordReaderOptions options = {}) {
  RecordReader reader(path, options);
  std::vector<std::string> records;
  std::string_view record;
  while (reader.next(record)) records.emplace_back(record);
  return records;
}

DataErrorKind read_error_kind(const std::string& path, std::string* message = nullptr, RecordReaderOptions options = {}) {
  try {
    read_all(path, options);
  } catch (const DataError& error) {
    if (message != nullptr) *message = error.what();
    return error.kind();
  }
  FAIL("no error");
  return DataErrorKind::kNoMatch;
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
  }
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
    CHECK((kind == DataErrorKind::kBadCompression || kind == DataErrorKind::kTruncated));
    compressed[40] ^= 0x55;
    compressed[41] ^= 0x55;
    write_bytes(dir.file("flipped.gz"), compressed);
    CHECK_THROWS_AS(read_all(dir.file("flipped.gz")), DataError);
  }
}
