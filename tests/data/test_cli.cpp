// End to end through the built `ynet` binary: make-data, stats on real and synthetic files,
// every damage kind's message, --skip-corrupt, and exit codes.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "tests/data/test_util.h"

using ynet::data::testing::read_bytes;
using ynet::data::testing::source_path;
using ynet::data::testing::TempDir;
using ynet::data::testing::write_bytes;

namespace {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together
};

Run run_ynet(const std::string& arguments) {
  const std::string command = std::string(YNET_BINARY_DIR) + "/cli/ynet " + arguments + " 2>&1";
  Run run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, got);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("stats on the real AudioSet and YouTube-8M files") {
  TempDir dir;
  Run run = run_ynet("stats " + source_path("tests/data/files/bal_train_Av.tfrecord") + " --id-key video_id --classes 527 --plot " +
                 dir.file("av.svg") + " --counts " + dir.file("av.csv"));
  CHECK(run.status == 0);
  CHECK(contains(run.out, "videos: 8 (8 frame-level, 0 video-level)"));
  CHECK(contains(run.out, "frames per video: min 1, mean 8.75, max 10 (70 frames in all)"));
  CHECK(contains(run.out, "labels per video: min 1, mean 2.00, max 3"));
  CHECK(read_bytes(dir.file("av.csv")).rfind("class,count\n0,4\n", 0) == 0);
  CHECK(read_bytes(dir.file("av.svg")).rfind("<svg", 0) == 0);

  run = run_ynet("stats " + source_path("tests/data/files/validate0000.tfrecord") + " --classes 3862 --plot " +
             dir.file("yt.svg") + " --counts " + dir.file("yt.csv"));
  CHECK(run.status == 0);
  CHECK(contains(run.out, "videos: 284 (0 frame-level, 284 video-level)"));
  CHECK(contains(run.out, "Label counts (Table 2)"));

  const std::string shared = source_path("../shared/data");
  if (!std::filesystem::exists(shared + "/audioset_v1/bal_train-00000-of-00004.tfrecord")) {
    MESSAGE("SKIPPED: ../shared/data is not present; stats on the full AudioSet and YouTube-8M sets did not run");
    return;
  }
  run = run_ynet("stats '" + shared + "/audioset_v1/bal_train-*.tfrecord' --id-key video_id --classes 527 --plot " +
             dir.file("a.svg") + " --counts " + dir.file("a.csv"));
  CHECK(run.status == 0);
  CHECK(contains(run.out, "files: 4\nvideos: 22160 (22160 frame-level, 0 video-level)"));
  CHECK(contains(run.out, "527 occur at least once"));
  run = run_ynet("stats '" + shared + "/yt8m_v2_video/*.tfrecord' --classes 3862 --plot " + dir.file("y.svg") + " --counts " +
             dir.file("y.csv"));
  CHECK(run.status == 0);
  CHECK(contains(run.out, "files: 10\nvideos: 2950 (0 frame-level, 2950 video-level)"));
}

TEST_CASE("make-data then stats reproduces the shape of Table 2") {
  TempDir dir;
  Run run = run_ynet("make-data --out " + dir.file("data") + " --videos 3000 --classes 100 --frames 2:4 --seed 9");
  REQUIRE(run.status == 0);
  CHECK(contains(run.out, "wrote 12 files"));
  CHECK(contains(run.out, "train 2100 videos"));
  run = run_ynet("stats '" + dir.file("data") + "/train*.tfrecord'");
  CHECK(run.status == 0);
  CHECK(contains(run.out, "videos: 2100 (2100 frame-level, 0 video-level)"));
  CHECK(contains(run.out, "frames per video: min 2,"));
  CHECK(contains(run.out, "labels holding 95% of occurrences:"));
  // Default outputs go next to the data, named after the pattern.
  CHECK(std::filesystem::exists(dir.file("data/train_labels.svg")));
  CHECK(read_bytes(dir.file("data/train_label_counts.csv")).rfind("class,count\n0,", 0) == 0);

  run = run_ynet("make-data --out " + dir.file("video") + " --videos 50 --classes 10 --level video --shards 1");
  CHECK(run.status == 0);
  run = run_ynet("stats " + dir.file("video/valid0000.tfrecord") + " --plot " + dir.file("v.svg") + " --counts " + dir.file("v.csv"));
  CHECK(run.status == 0);
  CHECK(contains(run.out, "videos: 10 (0 frame-level, 10 video-level)"));
}

TEST_CASE("every damage kind gives its message; --skip-corrupt goes on and counts") {
  TempDir dir;
  const std::string good = read_bytes(source_path("tests/data/files/bal_train_Av.tfrecord"));
  const std::string outputs = " --id-key video_id --plot " + dir.file("p.svg") + " --counts " + dir.file("c.csv");
  const auto check_damage = [&](const std::string& name, const std::string& bytes, const std::string& message,
                                const std::string& extra = "") {
    CAPTURE(name);
    write_bytes(dir.file(name), bytes);
    Run run = run_ynet("stats " + dir.file(name) + outputs + extra);
    CHECK(run.status == 1);
    CHECK(contains(run.out, dir.file(name) + ": " + message));
    run = run_ynet("stats " + dir.file(name) + outputs + extra + " --skip-corrupt");
    CHECK(run.status == 0);
    CHECK(contains(run.out, "skipped in the data: " + dir.file(name) + ": " + message));
    CHECK(contains(run.out, "damaged record"));
  };
  // Record 1 starts after record 0: u64 length + 4 + data + 4.
  uint64_t first_length;
  std::memcpy(&first_length, good.data(), 8);
  const size_t second = 16 + static_cast<size_t>(first_length);
  std::string damaged = good;
  damaged[second + 8] ^= 1;
  check_damage("length_crc.tfrecord", damaged, "byte " + std::to_string(second) + ": record 1: length CRC mismatch (stored 0x");
  damaged = good;
  damaged[second + 40] ^= 1;
  check_damage("data_crc.tfrecord", damaged, "byte " + std::to_string(second) + ": record 1: data CRC mismatch (stored 0x");
  check_damage("truncated.tfrecord", good.substr(0, good.size() - 10), "byte 9300: record 7: truncated record:");
  check_damage("label.tfrecord", good, "byte 0: record 0: video 'AvyB5a_HcFM': label 514 out of range [0, 3)",
               " --classes 3");
  ynet::data::testing::write_records(dir.file("proto.tfrecord"), {"\xff\xff\xff not a protobuf"});
  check_damage("proto.tfrecord", read_bytes(dir.file("proto.tfrecord")),
               "byte 0: record 0: not a valid tf.Example/SequenceExample");

  write_bytes(dir.file("empty.tfrecord"), "");
  Run run = run_ynet("stats " + dir.file("empty.tfrecord") + outputs);
  CHECK(run.status == 1);
  CHECK(contains(run.out, "empty.tfrecord: empty file"));
  run = run_ynet("stats '" + dir.file("nothing*.tfrecord") + "'" + outputs);
  CHECK(run.status == 1);
  CHECK(contains(run.out, "nothing*.tfrecord: pattern matches no file"));
  // Data CRC problems pass unnoticed without verification.
  run = run_ynet("stats " + dir.file("data_crc.tfrecord") + outputs + " --no-verify-crc");
  CHECK(run.status == 0);
}

TEST_CASE("usage errors exit with status 2 and name the flag") {
  TempDir dir;
  Run run = run_ynet("make-data --out " + dir.file("x") + " --frames 10:5");
  CHECK(run.status == 2);
  CHECK(contains(run.out, "--frames"));
  run = run_ynet("make-data --out " + dir.file("x") + " --split 1:2");
  CHECK(run.status == 2);
  CHECK(contains(run.out, "--split"));
  run = run_ynet("make-data --out " + dir.file("x") + " --level audio");
  CHECK(run.status == 2);
  CHECK(contains(run.out, "--level"));
  run = run_ynet("make-data --out " + dir.file("x") + " --videos many");
  CHECK(run.status == 2);
  run = run_ynet("stats x.tfrecord --compression brotli");
  CHECK(run.status == 2);
  CHECK(contains(run.out, "--compression"));
}
