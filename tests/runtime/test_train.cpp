// Training, evaluation and prediction end to end through the command line, on a small synthetic
// dataset: learning, the run directory, resume equivalence, interruption and bad input.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runtime/metrics/predictions_csv.h"
#include "tests/support/cli_run.h"
#include "tests/support/tiny_spec.h"

namespace fs = std::filesystem;
using ynet::test::CliRun;
using ynet::test::run_ynet;

namespace {

const std::string kSpec = ynet::test::tiny_bof_spec(80, 40);

std::string read(const fs::path& p) { return ynet::test::read_file(p.string()); }

// The synthetic data and the spec, made once for every test case.
struct Fixture {
  std::string dir, data, spec;
  Fixture() {
    dir = ynet::test::scratch_dir("train");
    data = dir + "/data";
    spec = dir + "/tiny.ynet";
    std::ofstream(spec) << kSpec;
    const CliRun made = run_ynet("make-data --out " + data + " --videos 600 --classes 20 --frames 8:24 --shards 2 --seed 3");
    REQUIRE_MESSAGE(made.status == 0, made.output);
  }
  std::string train(const std::string& out, const std::string& extra) const {
    return "train " + spec + " --train '" + data + "/train*.tfrecord' --out " + dir + "/" + out + " " + extra;
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

double json_number(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  REQUIRE(at != std::string::npos);
  return std::stod(json.substr(at + key.size() + 3));
}

}  // namespace

TEST_CASE("train, eval and predict: the model learns and the run directory is complete") {
  const Fixture& f = fixture();
  const CliRun untrained = run_ynet(f.train("untrained", "--steps 1"));
  REQUIRE_MESSAGE(untrained.status == 0, untrained.output);
  const CliRun trained = run_ynet(f.train("trained", "--valid '" + f.data + "/valid*.tfrecord'"));
  REQUIRE_MESSAGE(trained.status == 0, trained.output);
  CHECK(trained.has("eval at step 40"));
  const fs::path run = f.dir + "/trained";
  for (const char* file : {"spec.ynet", "plan.train.pb", "plan.infer.pb", "plan.txt", "metrics.jsonl", "curves.svg"})
    CHECK_MESSAGE(fs::exists(run / file), file);
  bool events = false;
  for (const auto& e : fs::directory_iterator(run)) events |= e.path().filename().string().rfind("events.out.tfevents.", 0) == 0;
  CHECK(events);

  const std::string valid = " --data '" + f.data + "/valid*.tfrecord'";
  const CliRun before = run_ynet("eval " + f.dir + "/untrained" + valid);
  const CliRun after = run_ynet("eval " + run.string() + valid);
  REQUIRE_MESSAGE(before.status == 0, before.output);
  REQUIRE_MESSAGE(after.status == 0, after.output);
  // A model that only pools its frames is fed the records' bytes (checked against the trainer's
  // float frames just below).
  CHECK(after.has("frames pooled as stored bytes"));
  const double gap_before = json_number(read(f.dir + "/untrained/eval.json"), "gap");
  const double gap_after = json_number(read(run / "eval.json"), "gap");
  MESSAGE("GAP untrained " << gap_before << ", after 80 steps " << gap_after);
  CHECK(gap_after > gap_before + 0.1);
  // The weights saved in the checkpoint and loaded by `ynet eval` predict what the trainer's
  // in-memory model (dequantized frames, unfolded BatchNorm) predicted at its last evaluation.
  const size_t last_eval = trained.output.rfind("eval at step 80:");
  REQUIRE(last_eval != std::string::npos);
  const size_t gap_at = trained.output.find("GAP ", last_eval);
  CHECK(trained.output.substr(gap_at + 4, 6) == fmt::format("{:.4f}", gap_after));
  // Every read through the page cache instead of around it: the same data, the same metrics.
  const CliRun buffered = run_ynet("eval " + run.string() + valid + " --no-direct-reads --json " + f.dir + "/buffered.json");
  REQUIRE_MESSAGE(buffered.status == 0, buffered.output);
  const auto metrics_of = [](const std::string& json) { return json.substr(json.find("\"hit_at_1\"")); };
  CHECK(metrics_of(read(f.dir + "/buffered.json")) == metrics_of(read(run / "eval.json")));

  // The same weights with the Dense products in int8 rank the videos nearly as well.
  const CliRun quantized = run_ynet("eval " + run.string() + valid + " --precision int8 --json " + f.dir + "/int8.json");
  REQUIRE_MESSAGE(quantized.status == 0, quantized.output);
  CHECK(quantized.has(", int8"));
  const double gap_int8 = json_number(read(f.dir + "/int8.json"), "gap");
  MESSAGE("GAP in int8 " << gap_int8);
  CHECK(std::abs(gap_int8 - gap_after) < 0.01);
  CHECK(gap_int8 != gap_after);  // it did compute in int8

  const CliRun predicted = run_ynet("predict " + run.string() + " --data '" + f.data + "/test*.tfrecord' -o " +
                                    f.dir + "/predictions.csv --top-k 5");
  REQUIRE_MESSAGE(predicted.status == 0, predicted.output);
  const auto rows = ynet::metrics::read_predictions_csv(f.dir + "/predictions.csv");
  CHECK(rows.size() == 60);  // 10% of 600 videos
  for (const auto& row : rows) CHECK(row.predictions.size() == 5);
}

TEST_CASE("an interrupted and resumed run ends with the same weights as an uninterrupted one") {
  const Fixture& f = fixture();
  REQUIRE(run_ynet(f.train("straight", "--steps 20 --eval-every 100")).status == 0);
  REQUIRE(run_ynet(f.train("resumed", "--steps 10 --eval-every 100")).status == 0);
  const CliRun resumed = run_ynet(f.train("resumed", "--steps 20 --eval-every 100 --resume"));
  REQUIRE_MESSAGE(resumed.status == 0, resumed.output);
  CHECK(resumed.has("resuming from"));
  const std::string a = read(f.dir + "/straight/checkpoints/ckpt-000000020.pb");
  const std::string b = read(f.dir + "/resumed/checkpoints/ckpt-000000020.pb");
  REQUIRE(!a.empty());
  CHECK(a == b);
}

TEST_CASE("a run killed at any moment keeps a loadable checkpoint; SIGINT stops cleanly") {
  const Fixture& f = fixture();
  // Checkpoint every step, and kill the process without warning while it writes them: once the
  // first checkpoint exists, a second later (polling, not a fixed sleep: sanitizer builds start slowly).
  const std::string ynet = std::string(YNET_BINARY_DIR) + "/cli/ynet ";
  const std::string killed = ynet + f.train("killed", "--steps 100000 --eval-every 1") +
                             " > /dev/null 2>&1 & pid=$!; for i in $(seq 1200); do ls " + f.dir +
                             "/killed/checkpoints/ckpt-* > /dev/null 2>&1 && break; sleep 0.1; done; sleep 1; "
                             "kill -9 $pid; wait $pid";
  std::system(killed.c_str());
  const CliRun eval = run_ynet("eval " + f.dir + "/killed --data '" + f.data + "/valid*.tfrecord' --max-videos 32");
  CHECK_MESSAGE(eval.status == 0, eval.output);

  // SIGINT once training has started (its checkpoint folder exists): finish the step, checkpoint,
  // exit 130 as an interrupted program does.
  const std::string stopped = ynet + f.train("stopped", "--steps 100000") + " > " + f.dir +
                              "/stopped.log 2>&1 & pid=$!; for i in $(seq 1200); do [ -d " + f.dir +
                              "/stopped/checkpoints ] && break; sleep 0.1; done; sleep 1; kill -INT $pid; wait $pid";
  const int status = std::system(stopped.c_str());
  CHECK(WEXITSTATUS(status) == 130);
  const std::string log = read(f.dir + "/stopped.log");
  CHECK_MESSAGE(log.find("interrupted at step") != std::string::npos, log);
}

TEST_CASE("bad input: an occupied run directory, a glob matching nothing, a checkpoint of another model") {
  const Fixture& f = fixture();
  REQUIRE(run_ynet(f.train("occupied", "--steps 2")).status == 0);
  const CliRun again = run_ynet(f.train("occupied", "--steps 2"));
  CHECK(again.status == 1);
  CHECK(again.has("holds another run"));

  const CliRun nothing = run_ynet("train " + f.spec + " --train '" + f.dir + "/none*.tfrecord' --out " + f.dir + "/none");
  CHECK(nothing.status == 1);
  CHECK(nothing.has("none*.tfrecord"));

  std::string other = kSpec;
  other.replace(other.find("units: 64"), 9, "units: 32");
  std::ofstream(f.dir + "/other.ynet") << other;
  REQUIRE(run_ynet("train " + f.dir + "/other.ynet --train '" + f.data + "/train*.tfrecord' --out " + f.dir +
                   "/other --steps 1").status == 0);
  fs::copy_file(f.dir + "/other/checkpoints/ckpt-000000001.pb", f.dir + "/occupied/checkpoints/ckpt-000000099.pb");
  const CliRun mismatch = run_ynet("eval " + f.dir + "/occupied --data '" + f.data + "/valid*.tfrecord'");
  CHECK(mismatch.status == 1);
  CHECK(mismatch.has("does not fit"));
  CHECK(mismatch.has("h.weights"));

  const std::string whole = read(f.dir + "/other/checkpoints/ckpt-000000001.pb");
  std::ofstream(f.dir + "/occupied/checkpoints/ckpt-000000100.pb", std::ios::binary) << whole.substr(0, whole.size() / 2);
  const CliRun cut = run_ynet("eval " + f.dir + "/occupied --data '" + f.data + "/valid*.tfrecord'");
  CHECK(cut.status == 1);
  CHECK(cut.has("ckpt-000000100.pb' is not a ynet checkpoint, or it is damaged"));

  const CliRun int8_training = run_ynet("compile " + f.spec + " --precision int8");
  CHECK(int8_training.status == 2);
  CHECK(int8_training.has("--precision int8 quantizes inference plans; add --mode infer"));
}

TEST_CASE("a diverging run stops naming the step and the tensor, and writes no poisoned checkpoint") {
  const Fixture& f = fixture();
  auto diverge = [&](const std::string& name, const std::string& learning_rate) {
    std::string spec = kSpec;
    const std::string optimizer = "RMSProp(lr: 2e-3, decay: 0.9)";
    spec.replace(spec.find(optimizer), optimizer.size(), "SGD(lr: " + learning_rate + ")");
    std::ofstream(f.dir + "/" + name + ".ynet") << spec;
    return run_ynet("train " + f.dir + "/" + name + ".ynet --train '" + f.data + "/train*.tfrecord' --out " + f.dir +
                    "/" + name + " --steps 5 --eval-every 1");
  };
  auto checkpoints = [&](const std::string& name) {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(f.dir + "/" + name + "/checkpoints")) count += entry.is_regular_file();
    return count;
  };

  // lr 1e38: the first update leaves huge but finite weights (checkpointed), the next loss is NaN.
  const CliRun nan_loss = diverge("nan_loss", "1e38");
  CHECK(nan_loss.status == 1);
  CHECK(nan_loss.has("step 1: the loss is"));
  CHECK(nan_loss.has("loss term 'loss/SigmoidCrossEntropy'"));
  CHECK(nan_loss.has("last good checkpoint is kept in"));
  CHECK(checkpoints("nan_loss") == 1);

  // lr 1e39 overflows a float: the first update makes weights infinite, and the checkpoint that
  // would hold them is refused before anything is written.
  const CliRun inf_weights = diverge("inf_weights", "1e39");
  CHECK(inf_weights.status == 1);
  CHECK(inf_weights.has("after step 1: 'x.gamma' holds"));
  CHECK(inf_weights.has("training diverged"));
  CHECK(checkpoints("inf_weights") == 0);
}
