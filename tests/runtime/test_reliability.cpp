// What a hostile but realistic user runs into, end to end through the command line: damaged
// records under --skip-corrupt (reported, counted, resynchronised), data nothing can be read from,
// damaged checkpoints, a failed --resume, two trainers on one run directory, outputs that are not
// regular files, and sizes past 64-bit arithmetic.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/metrics/predictions_csv.h"
#include "runtime/train/checkpoint.pb.h"
#include "tests/support/cli_run.h"
#include "tests/support/tiny_spec.h"

namespace fs = std::filesystem;
using ynet::test::CliRun;
using ynet::test::run_ynet;

namespace {

const std::string kSpec = ynet::test::tiny_bof_spec(4, 2);

std::string read(const fs::path& p) { return ynet::test::read_file(p.string()); }

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The byte offset of every record of a TFRecord file.
std::vector<size_t> record_offsets(const std::string& file) {
  std::vector<size_t> offsets;
  for (size_t at = 0; at + 12 <= file.size();) {
    uint64_t length;
    std::memcpy(&length, file.data() + at, 8);
    offsets.push_back(at);
    at += 16 + static_cast<size_t>(length);
  }
  return offsets;
}

// A frame-level and a video-level data set, the spec, and a short run trained on them, made once.
struct Fixture {
  std::string dir, frames, videos, spec, run;
  Fixture() {
    dir = ynet::test::scratch_dir("reliability");
    frames = dir + "/frames";
    videos = dir + "/videos";
    spec = dir + "/tiny.ynet";
    run = dir + "/run";
    write(spec, kSpec);
    const CliRun made = run_ynet("make-data --out " + frames + " --videos 200 --classes 20 --frames 8:24 --shards 1 --seed 5");
    REQUIRE_MESSAGE(made.status == 0, made.output);
    const CliRun made_videos =
        run_ynet("make-data --out " + videos + " --videos 100 --classes 20 --shards 1 --level video --seed 5");
    REQUIRE_MESSAGE(made_videos.status == 0, made_videos.output);
    const CliRun trained = run_ynet(train("run", "--train " + frames + "/train0000.tfrecord"));
    REQUIRE_MESSAGE(trained.status == 0, trained.output);
  }
  std::string train(const std::string& out, const std::string& args, const std::string& spec_path = "") const {
    return "train " + (spec_path.empty() ? spec : spec_path) + " --out " + dir + "/" + out + " " + args;
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// A copy of the 40 validation videos with record 5's length CRC and record 12's data broken.
std::string damaged_validation(const Fixture& f, std::vector<size_t>& offsets) {
  std::string bytes = read(f.frames + "/valid0000.tfrecord");
  offsets = record_offsets(bytes);
  REQUIRE(offsets.size() == 40);
  bytes[offsets[5] + 8] ^= 0x10;
  bytes[offsets[12] + 40] ^= 0x01;
  const std::string path = f.dir + "/damaged.tfrecord";
  write(path, bytes);
  return path;
}

}  // namespace

TEST_CASE("--skip-corrupt reports and counts every skip, and a broken length resynchronises") {
  const Fixture& f = fixture();
  std::vector<size_t> offsets;
  const std::string damaged = damaged_validation(f, offsets);

  const CliRun eval = run_ynet("eval " + f.run + " --data " + damaged + " --skip-corrupt --json " + f.dir + "/skip.json");
  REQUIRE_MESSAGE(eval.status == 0, eval.output);
  CHECK_MESSAGE(eval.has(damaged + ": byte " + std::to_string(offsets[5]) + ": record 5: length CRC mismatch"), eval.output);
  CHECK_MESSAGE(eval.has("skipped " + std::to_string(offsets[6] - offsets[5]) + " bytes to the next valid record header, at byte " +
                         std::to_string(offsets[6])),
                eval.output);
  CHECK(eval.has(damaged + ": byte " + std::to_string(offsets[12]) + ": record 12: data CRC mismatch"));
  CHECK(eval.has("on 38 videos"));
  CHECK(eval.has("2 damaged records skipped"));
  const std::string json = read(f.dir + "/skip.json");
  CHECK_MESSAGE(json.find("\"skipped_records\": 2") != std::string::npos, json);
  CHECK(json.find("\"videos_read\": 38") != std::string::npos);
  CHECK(json.find("\"skipped_bytes\": " + std::to_string(offsets[6] - offsets[5] + offsets[13] - offsets[12])) !=
        std::string::npos);

  const CliRun predicted = run_ynet("predict " + f.run + " --data " + damaged + " --skip-corrupt -o " + f.dir + "/skip.csv");
  REQUIRE_MESSAGE(predicted.status == 0, predicted.output);
  CHECK(predicted.has("2 damaged records skipped"));
  CHECK(ynet::metrics::read_predictions_csv(f.dir + "/skip.csv").size() == 38);

  const CliRun stats = run_ynet("stats " + damaged + " --skip-corrupt --plot " + f.dir + "/s.svg --counts " + f.dir + "/s.csv");
  REQUIRE_MESSAGE(stats.status == 0, stats.output);
  CHECK(stats.has("videos: 38 "));
  CHECK(stats.has("2 damaged records skipped"));

  // Validation during training: the skips are in the line and in metrics.jsonl.
  const CliRun trained =
      run_ynet(f.train("skip_valid", "--train " + f.frames + "/train0000.tfrecord --valid " + damaged + " --skip-corrupt"));
  REQUIRE_MESSAGE(trained.status == 0, trained.output);
  // Evaluated twice (eval_every 2 of 4 steps): each damaged record is reported once, and counted
  // in both evaluations' rows.
  CHECK_MESSAGE(occurrences(trained.output, "skipped in the validation data: " + damaged + ": byte " +
                                                std::to_string(offsets[5])) == 1,
                trained.output);
  CHECK(occurrences(trained.output, "38 videos") == 2);
  const std::string log = read(f.dir + "/skip_valid/metrics.jsonl");
  CHECK_MESSAGE(occurrences(log, "\"skipped_records\": 2") == 2, log);

  // Damaged training data: each skip on stderr, the total in the last lines and in metrics.jsonl.
  const CliRun skip_train = run_ynet(f.train("skip_train", "--train " + damaged + " --skip-corrupt --steps 4"));
  REQUIRE_MESSAGE(skip_train.status == 0, skip_train.output);
  // 4 steps of 16 over 38 videos read the data twice: each damaged record is reported once, and
  // the summary counts the records and the skips over both passes.
  CHECK_MESSAGE(occurrences(skip_train.output, "skipped in the training data: " + damaged + ": byte " +
                                                   std::to_string(offsets[5])) == 1,
                skip_train.output);
  CHECK(skip_train.has("2 damaged records skipped in the training data ("));
  CHECK(skip_train.has("skips over repeated passes"));
  CHECK(read(f.dir + "/skip_train/metrics.jsonl").find("\"skipped_records\": ") != std::string::npos);
}

TEST_CASE("not one usable video is an error, with the reason") {
  const Fixture& f = fixture();
  // A frame-level model on video-level records: every record fails to decode.
  const std::string wrong_level = " --data " + f.videos + "/valid0000.tfrecord --skip-corrupt";
  const CliRun eval = run_ynet("eval " + f.run + wrong_level + " --json " + f.dir + "/none.json");
  CHECK(eval.status == 1);
  CHECK_MESSAGE(eval.has("no record of the data could be used"), eval.output);
  CHECK(eval.has("the first failure: " + f.videos + "/valid0000.tfrecord: byte 0: record 0"));
  CHECK_FALSE(fs::exists(f.dir + "/none.json"));
  const CliRun predicted = run_ynet("predict " + f.run + wrong_level + " -o " + f.dir + "/none.csv");
  CHECK(predicted.status == 1);
  CHECK_FALSE(fs::exists(f.dir + "/none.csv"));

  write(f.dir + "/empty.tfrecord", "");
  const CliRun empty = run_ynet("eval " + f.run + " --data " + f.dir + "/empty.tfrecord --skip-corrupt");
  CHECK(empty.status == 1);
  CHECK_MESSAGE(empty.has("not one video of"), empty.output);
  CHECK(empty.has("empty file"));

  const CliRun validation = run_ynet(f.train("none_valid", "--train " + f.frames + "/train0000.tfrecord" + " --valid " +
                                             f.videos + "/valid0000.tfrecord --skip-corrupt"));
  CHECK(validation.status == 1);
  CHECK_MESSAGE(validation.has("no record of the data could be used"), validation.output);
}

TEST_CASE("training on data it cannot use stops with the first failure; SIGTERM stops it with 143") {
  const Fixture& f = fixture();
  // Without the end-of-usable-data rule this spins forever: a time limit turns that into a failure.
  const CliRun spin = run_ynet("train " + f.spec + " --out " + f.dir + "/spin --train " + f.videos +
                               "/train0000.tfrecord --skip-corrupt --steps 3 2>&1 & pid=$!; (sleep 120; kill -9 $pid) "
                               ">/dev/null 2>&1 & watchdog=$!; wait $pid; status=$?; kill $watchdog; exit $status");
  CHECK(spin.status == 1);
  CHECK_MESSAGE(spin.has("no record of the data could be used in a whole pass over it; the first failure: " + f.videos +
                         "/train0000.tfrecord: byte "),
                spin.output);
  CHECK(spin.has(": missing feature list 'rgb'"));
  // The start failed: nothing of a run was written.
  CHECK_FALSE(fs::exists(f.dir + "/spin/spec.ynet"));
  CHECK_FALSE(fs::exists(f.dir + "/spin/metrics.jsonl"));
  // Without --skip-corrupt: the first record's error.
  const CliRun strict = run_ynet("train " + f.spec + " --out " + f.dir + "/strict --train " + f.videos +
                                 "/train0000.tfrecord --steps 3");
  CHECK(strict.status == 1);
  CHECK_MESSAGE(strict.has(f.videos + "/train0000.tfrecord: byte "), strict.output);
  CHECK(strict.has(": missing feature list 'rgb'"));

  // SIGTERM once training has started: the step finishes, a checkpoint is written, exit 143.
  const std::string ynet = std::string(YNET_BINARY_DIR) + "/cli/ynet ";
  const std::string stopped = ynet + f.train("terminated", "--train " + f.frames + "/train0000.tfrecord --steps 100000") +
                              " > " + f.dir + "/terminated.log 2>&1 & pid=$!; for i in $(seq 1200); do [ -d " + f.dir +
                              "/terminated/checkpoints ] && break; sleep 0.1; done; sleep 1; kill -TERM $pid; wait $pid";
  const int status = std::system(stopped.c_str());
  CHECK(WEXITSTATUS(status) == 143);
  const std::string log = read(f.dir + "/terminated.log");
  CHECK_MESSAGE(log.find("interrupted at step") != std::string::npos, log);
  CHECK(log.find("continue with --resume") != std::string::npos);
}

TEST_CASE("a damaged newest checkpoint is named and the newest intact one is used") {
  const Fixture& f = fixture();
  const CliRun trained = run_ynet(f.train("damaged_ckpt", "--train " + f.frames + "/train0000.tfrecord --steps 4 --eval-every 2"));
  REQUIRE_MESSAGE(trained.status == 0, trained.output);
  const fs::path newest = f.dir + "/damaged_ckpt/checkpoints/ckpt-000000004.pb";
  const std::string intact = read(newest);
  REQUIRE(intact.size() > 1000);
  // Four flipped bits in the middle of the weights: still a well-formed protobuf.
  std::string flipped = intact;
  for (size_t i = 0; i < 4; ++i) flipped[intact.size() / 2 + 97 * i] ^= 0x04;
  write(newest, flipped);
  const std::string data = " --data " + f.frames + "/valid0000.tfrecord";
  const CliRun eval = run_ynet("eval " + f.dir + "/damaged_ckpt" + data);
  CHECK_MESSAGE(eval.status == 0, eval.output);
  CHECK(eval.has("checkpoint '" + newest.string() + "' is damaged"));
  CHECK(eval.has("using the newest intact checkpoint, " + f.dir + "/damaged_ckpt/checkpoints/ckpt-000000002.pb"));
  CHECK(eval.has("at step 2 on 40 videos"));
  // Named explicitly, a damaged checkpoint is an error.
  const CliRun named = run_ynet("eval " + newest.string() + data);
  CHECK(named.status == 1);
  CHECK(named.has("fails its checksum"));
  CHECK_FALSE(named.has("warning"));  // the one checkpoint tried: its problem is the error, said once
  // A byte of the model's name made invalid UTF-8: the file does not parse, and only ynet says so.
  std::string bad_name = intact;
  const size_t name_at = bad_name.find("Tiny_BoF");
  REQUIRE(name_at != std::string::npos);
  bad_name[name_at + 1] = '\xff';
  write(newest, bad_name);
  const CliRun unparsed = run_ynet("eval " + newest.string() + data);
  CHECK(unparsed.status == 1);
  CHECK_MESSAGE(unparsed.has("is not a ynet checkpoint, or it is damaged"), unparsed.output);
  CHECK_FALSE(unparsed.has("libprotobuf"));

  // Cut short: --resume names it and continues from the older one.
  write(newest, intact.substr(0, intact.size() / 3));
  const CliRun resumed =
      run_ynet(f.train("damaged_ckpt", "--train " + f.frames + "/train0000.tfrecord --steps 4 --eval-every 2 --resume"));
  CHECK_MESSAGE(resumed.status == 0, resumed.output);
  CHECK(resumed.has(newest.string() + "' is not a ynet checkpoint, or it is damaged"));
  CHECK(resumed.has("resuming from " + f.dir + "/damaged_ckpt/checkpoints/ckpt-000000002.pb"));
  CHECK(read(newest) == intact);  // trained again from step 2: the same weights, bit for bit

  // A checkpoint of an older ynet (format 1, no checksums) loads, with a warning.
  ynet::checkpointpb::Checkpoint old_format;
  REQUIRE(old_format.ParseFromString(intact));
  old_format.set_format_version(1);
  old_format.clear_crc32c();
  for (auto& t : *old_format.mutable_params()) t.clear_crc32c();
  for (auto& t : *old_format.mutable_state()) t.clear_crc32c();
  write(newest, old_format.SerializeAsString());
  const CliRun old_eval = run_ynet("eval " + newest.string() + data);
  CHECK_MESSAGE(old_eval.status == 0, old_eval.output);
  CHECK(old_eval.has("from before checksums: loaded unverified"));
  CHECK(old_eval.has("at step 4 on 40 videos"));
}

TEST_CASE("a failed --resume leaves the run as it was, and resume edge cases are refused") {
  const Fixture& f = fixture();
  const std::string train_data = "--train " + f.frames + "/train0000.tfrecord ";
  REQUIRE(run_ynet(f.train("kept", train_data + "--steps 2 --eval-every 100")).status == 0);
  const fs::path run = f.dir + "/kept";
  std::vector<std::string> before;
  for (const char* file : {"spec.ynet", "plan.train.pb", "plan.infer.pb", "plan.txt", "metrics.jsonl"})
    before.push_back(read(run / file));

  std::string other = kSpec;
  other.replace(other.find("units: 64"), 9, "units: 32");
  write(f.dir + "/other.ynet", other);
  const CliRun wrong = run_ynet(f.train("kept", train_data + "--steps 4 --resume", f.dir + "/other.ynet"));
  CHECK(wrong.status == 1);
  CHECK(wrong.has("does not fit"));
  size_t i = 0;
  for (const char* file : {"spec.ynet", "plan.train.pb", "plan.infer.pb", "plan.txt", "metrics.jsonl"})
    CHECK_MESSAGE(read(run / file) == before[i++], file);
  CHECK(run_ynet("eval " + run.string() + " --data " + f.frames + "/valid0000.tfrecord").status == 0);

  const CliRun both = run_ynet(f.train("kept", train_data + "--resume --force"));
  CHECK(both.status == 1);
  CHECK(both.has("--resume and --force contradict each other"));
  const CliRun nowhere = run_ynet(f.train("nowhere", train_data + "--resume"));
  CHECK(nowhere.status == 1);
  CHECK(nowhere.has("holds no run to continue"));
  const CliRun fewer = run_ynet(f.train("kept", train_data + "--steps 1 --resume"));
  CHECK(fewer.status == 1);
  CHECK(fewer.has("--steps 1: the run is already at step 2"));
  const CliRun finished = run_ynet(f.train("kept", train_data + "--steps 2 --resume"));
  CHECK(finished.status == 0);
  CHECK(finished.has("already finished at step 2"));
  CHECK(read(run / "metrics.jsonl") == before[4]);  // no duplicate rows

  // Rows logged after the checkpoint (a kill between the two) are dropped on resume, and event
  // files of killed segments end in whole records.
  write(run / "metrics.jsonl", before[4] + "{\"kind\": \"train\", \"step\": 3, \"samples\": 48, \"loss\": 1}\n{\"kind\": \"tr");
  std::string events;
  for (const auto& entry : fs::directory_iterator(run))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events = read(entry.path());
  REQUIRE(events.size() > 16);
  write(run / "events.out.tfevents.1.killed", events + events.substr(0, 20));
  write(run / "events.out.tfevents.2.empty", "");
  REQUIRE(run_ynet(f.train("kept", train_data + "--steps 3 --eval-every 100 --resume")).status == 0);
  CHECK(read(run / "events.out.tfevents.1.killed") == events);
  CHECK_FALSE(fs::exists(run / "events.out.tfevents.2.empty"));
  const std::string log = read(run / "metrics.jsonl");
  CHECK(log.find("\"loss\": 1}") == std::string::npos);
  CHECK(log.find("{\"kind\": \"tr\n") == std::string::npos);
  CHECK(log.rfind("\"step\": 3") != std::string::npos);
}

TEST_CASE("one trainer at a time holds a run directory") {
  const Fixture& f = fixture();
  const std::string dir = f.dir + "/locked";
  fs::create_directories(dir);
  const int fd = ::open((dir + "/run.lock").c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const std::string pid = std::to_string(::getpid()) + "\n";
  REQUIRE(::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
  const CliRun second = run_ynet(f.train("locked", "--train " + f.frames + "/train0000.tfrecord --steps 2"));
  CHECK(second.status == 1);
  CHECK_MESSAGE(second.has("is in use by another ynet train (process " + std::to_string(::getpid()) + ")"), second.output);
  CHECK_FALSE(fs::exists(dir + "/checkpoints"));
  ::close(fd);
  const CliRun alone = run_ynet(f.train("locked", "--train " + f.frames + "/train0000.tfrecord --steps 2"));
  CHECK_MESSAGE(alone.status == 0, alone.output);
}

TEST_CASE("outputs that are not regular files are written through, not replaced") {
  const Fixture& f = fixture();
  const std::string predict = "predict " + f.run + " --data " + f.frames + "/test0000.tfrecord --top-k 2 -o ";
  const CliRun to_stdout = run_ynet(predict + "-");
  REQUIRE_MESSAGE(to_stdout.status == 0, to_stdout.output);
  CHECK(to_stdout.has("VideoId,LabelConfidencePairs\n"));
  CHECK_FALSE(fs::exists("-"));

  const fs::path target = f.dir + "/target.csv", link = f.dir + "/link.csv";
  write(target, "old\n");
  fs::remove(link);
  fs::create_symlink(target, link);
  REQUIRE(run_ynet(predict + link.string()).status == 0);
  CHECK(fs::is_symlink(link));
  CHECK(read(target).rfind("VideoId,LabelConfidencePairs\n", 0) == 0);

  const fs::path fifo = f.dir + "/fifo";
  fs::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const CliRun through_fifo = run_ynet("eval " + f.run + " --data " + f.frames + "/valid0000.tfrecord --json " +
                                       fifo.string() + " & timeout 600 cat " + fifo.string() + " > " + f.dir + "/from_fifo.json; wait $!");
  CHECK_MESSAGE(through_fifo.status == 0, through_fifo.output);
  CHECK(fs::is_fifo(fifo));
  CHECK(read(f.dir + "/from_fifo.json").find("\"gap\"") != std::string::npos);

  const CliRun json_stdout = run_ynet("eval " + f.run + " --data " + f.frames + "/valid0000.tfrecord --json -");
  CHECK(json_stdout.status == 0);
  CHECK(json_stdout.has("\"gap\": "));
}

TEST_CASE("sizes past 64-bit arithmetic are errors at the spec line, not negative numbers") {
  const Fixture& f = fixture();
  const std::string huge = f.dir + "/huge.ynet";
  write(huge, R"(model Huge {
  input  video  = frames(rgb: 16777216, max_frames: 100000)
  labels target = multilabel(20)
  p = FramePooling(video, mode: mean)
  logits = Dense(p, units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train { batch = 10000000 }
)");
  const CliRun check = run_ynet("check " + huge);
  CHECK(check.status == 1);
  CHECK_MESSAGE(check.has("huge.ynet:2:"), check.output);
  CHECK(check.has("more than the 64 PiB limit"));
  // A --batch replaces the spec's batch in the check too: at batch 1 the model fits, and the
  // summary leaves out the rows of its table that do not.
  const CliRun small = run_ynet("compile " + huge + " --batch 1 --emit summary");
  CHECK_MESSAGE(small.status == 0, small.output);
  CHECK(small.has("batch 1)"));
  CHECK_FALSE(small.has("10000000"));
  write(huge, read(huge).replace(read(huge).find("10000000"), 8, "1"));
  REQUIRE(run_ynet("check " + huge).status == 0);
  const CliRun summary = run_ynet("compile " + huge + " --batch 10000 --emit summary");
  CHECK(summary.status == 1);
  CHECK(summary.has("64 PiB limit"));
  const CliRun bench = run_ynet("bench " + huge + " --batch 10000");
  CHECK(bench.status == 1);
  CHECK_FALSE(bench.has("max_size"));
}

TEST_CASE("a plan larger than the memory fails at once, saying what dominates and what would fit") {
  const Fixture& f = fixture();
  // 16384 x 16777216 weights: 1 TiB of parameters, and as much again for each optimizer slot.
  const std::string wide = f.dir + "/wide.ynet";
  write(wide, R"(model Wide {
  input  video  = video(mean_rgb: 16384)
  labels target = multilabel(20)
  h = Dense(video, units: 16777216)
  logits = Dense(h, units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train { batch = 1 }
)");
  const CliRun bench = run_ynet("bench " + wide + " --steps 1");
  CHECK(bench.status == 1);
  CHECK_MESSAGE(bench.has("alone exceed it at any batch size"), bench.output);
  CHECK_FALSE(bench.has("try a smaller --batch"));
  // Activations that grow with the batch: the message names a batch that fits.
  const CliRun batch = run_ynet("bench " + f.spec + " --batch 1048576 --steps 1");
  CHECK(batch.status == 1);
  CHECK_MESSAGE(batch.has("activations dominate: --batch "), batch.output);
}

TEST_CASE("a file of the wrong kind is named for what it is") {
  const Fixture& f = fixture();
  const CliRun spec_as_run = run_ynet("eval " + f.spec + " --data " + f.frames + "/valid0000.tfrecord");
  CHECK(spec_as_run.status == 1);
  CHECK_MESSAGE(spec_as_run.has("is a spec; expected a run directory"), spec_as_run.output);
  const CliRun checkpoint_as_spec = run_ynet("compile " + f.run + "/checkpoints/ckpt-000000004.pb");
  CHECK(checkpoint_as_spec.status == 1);
  CHECK_MESSAGE(checkpoint_as_spec.has("is a checkpoint (evaluate it with ynet eval), not a spec"), checkpoint_as_spec.output);
  CHECK(checkpoint_as_spec.output.size() < 400);  // no binary echoed

  // A batch larger than the training data: a warning that videos repeat within a step.
  std::string small = read(f.frames + "/train0000.tfrecord");
  small.resize(record_offsets(small)[5]);
  write(f.dir + "/five.tfrecord", small);
  const CliRun repeated = run_ynet(f.train("repeated", "--train " + f.dir + "/five.tfrecord --steps 1"));
  CHECK_MESSAGE(repeated.status == 0, repeated.output);
  CHECK(repeated.has("a batch of 16 holds only 5 different videos"));

  // An unquoted glob the shell expanded into several files is several files, not a usage error.
  const CliRun expanded = run_ynet(f.train("expanded", "--train " + f.dir + "/five.tfrecord " + f.frames +
                                           "/train0000.tfrecord --steps 1"));
  CHECK_MESSAGE(expanded.status == 0, expanded.output);
  const CliRun zero_steps = run_ynet(f.train("zero", "--train " + f.dir + "/five.tfrecord --steps 0"));
  CHECK(zero_steps.status == 2);
  CHECK_MESSAGE(zero_steps.has("0 is less than 1, the smallest value allowed"), zero_steps.output);
  CHECK(zero_steps.output.size() < 300);
}

TEST_CASE("a --valid glob that matches nothing fails the start, before anything is written") {
  const Fixture& f = fixture();
  const CliRun run = run_ynet(f.train("no_valid", "--train " + f.frames + "/train0000.tfrecord --valid '" + f.dir +
                                                      "/nothing*.tfrecord' --steps 4 --eval-every 2"));
  CHECK(run.status == 1);
  CHECK_MESSAGE(run.has("nothing*.tfrecord: pattern matches no file"), run.output);
  CHECK_FALSE(run.has("step 1/"));
  CHECK_FALSE(fs::exists(f.dir + "/no_valid/spec.ynet"));
}
