// The CUDA backend against the double-precision reference and the oneDNN CPU backend on tiny
// plans: every op's forward and backward (through `ynet verify`'s checks), the dropout and gating
// masks, determinism, the optimizers, checkpoints moving between GPU and CPU, and the errors.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/initialize.h"
#include "runtime/train/random_batch.h"
#include "runtime/verify/verify.h"
#include "tests/support/cli_run.h"

using namespace ynet;

namespace {

using Sets = std::vector<std::pair<std::string, std::string>>;

// The ynet binary: $YNET_BINARY when set (bench/gpu/run.sh runs these tests from a bundle, away from
// the build tree, where tests/support/cli_run.h would look), else the one built with this test.
test::CliRun run_ynet(const std::string& args) {
  const char* binary = std::getenv("YNET_BINARY");
  const std::string command = std::string(binary ? binary : YNET_BINARY_DIR "/cli/ynet") + " " + args + " 2>&1";
  test::CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// A fresh directory under the system's temporary folder, removed with its contents at the end.
class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("ynet-cuda-test-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

const std::string& unavailable() {
  static const std::string why = runtime::cuda_unavailable_reason();
  return why;
}

// Says so, in the test log and on stdout, when there is no GPU to test on.
bool skip_without_gpu() {
  if (unavailable().empty()) return false;
  MESSAGE("skipped: " << unavailable());
  std::printf("skipped: no CUDA device\n");
  return true;
}

plan::Plan compiled(const sema::CheckResult& checked, int64_t batch, int64_t frames, plan::Mode mode) {
  REQUIRE(checked.model.has_value());
  compiler::CompileOptions o;
  o.batch = batch;
  o.max_frames = frames;
  o.mode = mode;
  return compiler::compile(*checked.model, o).plan;
}

plan::Plan tiny(const std::string& spec, const Sets& sets, int64_t batch, int64_t frames,
                plan::Mode mode = plan::Mode::Train) {
  INFO(spec);
  return compiled(sema::check_file(spec, sets), batch, frames, mode);
}

plan::Plan from_text(const std::string& text, int64_t batch, int64_t frames, plan::Mode mode = plan::Mode::Train) {
  return compiled(sema::check_source("specs/inline.ynet", text, {}), batch, frames, mode);
}

void require_verified(const plan::Plan& p, const std::string& backend = "cuda:fp32", double tolerance = 1e-4) {
  verify::Options o;
  o.backend = backend;
  o.tolerance = tolerance;
  const verify::Report report = verify::run(p, o);
  INFO(report.table());
  CHECK(report.passed());
}

std::vector<int64_t> label_counts(const plan::Plan& p) {
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(p.meta.classes, 1)));
  for (size_t c = 0; c < counts.size(); ++c) counts[c] = 1 + static_cast<int64_t>(c % 5);
  return counts;
}

// A backend bound to the plan with the seed's parameters and random batch.
std::unique_ptr<runtime::Backend> prepared(const std::string& name, const plan::Plan& p, uint64_t seed) {
  auto backend = runtime::make_backend(name, {});
  backend->bind(p);
  train::initialize(p, seed, label_counts(p), [&](int v, std::span<const float> d) { backend->write(v, d); });
  train::write_random_batch(p, seed, *backend);
  backend->run(ir::Phase::Prologue, {0, 0, seed});
  return backend;
}

std::vector<float> read(const runtime::Backend& backend, int value) {
  std::vector<float> out(static_cast<size_t>(backend.plan().graph.value(value).elements()));
  backend.read(value, out);
  return out;
}

// The largest difference over the largest magnitude of `expected`.
double relative_difference(const std::vector<float>& actual, const std::vector<float>& expected) {
  double diff = 0, scale = 1e-12;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(actual[i] - expected[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(expected[i])));
  }
  return diff / scale;
}

std::vector<float> losses(runtime::Backend& backend, int steps, double learning_rate, uint64_t seed) {
  std::vector<float> out;
  for (int s = 0; s < steps; ++s) {
    backend.train_step({s, learning_rate, seed});
    out.push_back(read(backend, backend.plan().graph.loss)[0]);
  }
  return out;
}

std::string with_training(const std::string& model, const std::string& train) { return model + "\ntrain {\n" + train + "\n}\n"; }

// A frame-level model with every kind of step the optimizers see: Dense, BatchNorm, an LSTM.
const char* kSmallModel = R"(model Small {
  input  video  = frames(rgb: 24, audio: 8, max_frames: 6, skip_frames: 0)
  labels target = multilabel(10)
  x = BatchNorm(video)
  h = LSTM(x, hidden: 8, dropout: 0.2)
  v = TimeWeightedSum(h, weights: linear)
  f = Dense(v, units: 12, activation: tanh)
  logits = Dense(f, units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
})";

}  // namespace

TEST_CASE("paper specs, shrunk: the cuda backend's loss and gradients match the reference") {
  if (skip_without_gpu()) return;
  SUBCASE("BoF_4096") { require_verified(tiny("specs/bof_4096.ynet", {{"fc", "12"}}, 4, 5)); }
  SUBCASE("Simple_LSTM_2048") { require_verified(tiny("specs/simple_lstm_2048.ynet", {{"hidden", "6"}}, 3, 4)); }
  SUBCASE("Simple_LSTM_residual") { require_verified(tiny("specs/simple_lstm_residual.ynet", {{"hidden", "6"}}, 3, 4)); }
  SUBCASE("Simple_LSTM_3_2048_bal (class-balanced loss)") {
    require_verified(tiny("specs/simple_lstm_3_2048_bal.ynet", {{"hidden", "6"}}, 3, 4));
  }
  SUBCASE("LSTM_MoE_512") {
    require_verified(tiny("specs/lstm_moe_512.ynet", {{"hidden", "6"}, {"experts", "4"}, {"expert_units", "8"}}, 3, 3));
  }
  SUBCASE("LSTM_MoE_512_bal, top 2 of 3 experts") {
    require_verified(tiny("specs/lstm_moe_512_bal.ynet",
                          {{"hidden", "6"}, {"experts", "3"}, {"top_k", "2"}, {"expert_units", "8"}}, 3, 3));
  }
}

TEST_CASE("starter-code specs, shrunk: L2-normalised inputs, mean pooling, the MoE classifier, L2 penalties") {
  if (skip_without_gpu()) return;
  SUBCASE("Logistic") { require_verified(tiny("specs/logistic.ynet", {{"classes", "40"}}, 4, 1)); }
  SUBCASE("MoE (video level)") { require_verified(tiny("specs/moe.ynet", {{"classes", "40"}}, 4, 1)); }
  SUBCASE("FrameLevelLogistic") { require_verified(tiny("specs/frame_level_logistic.ynet", {{"classes", "40"}}, 3, 5)); }
  SUBCASE("DBoF") {
    require_verified(tiny("specs/dbof.ynet", {{"cluster_size", "16"}, {"hidden_size", "8"}, {"classes", "40"}}, 3, 5));
  }
  SUBCASE("LstmModel") { require_verified(tiny("specs/lstm_model.ynet", {{"lstm_cells", "6"}, {"classes", "40"}}, 3, 4)); }
}

TEST_CASE("TF32 products stay within the TF32 tolerance of ynet verify") {
  if (skip_without_gpu()) return;
  require_verified(tiny("specs/simple_lstm_2048.ynet", {{"hidden", "16"}}, 4, 5), "cuda:tf32", 1e-2);
}

TEST_CASE("dropout and the LSTM's inter-layer dropout drop the same units on the CPU and the GPU") {
  if (skip_without_gpu()) return;
  const runtime::StepContext ctx{7, 0.0, 11};
  SUBCASE("Dropout steps") {
    const plan::Plan p = tiny("specs/bof_4096.ynet", {{"fc", "16"}}, 4, 5);
    auto cpu = prepared("cpu", p, 11);
    auto gpu = prepared("cuda:fp32", p, 11);
    cpu->forward(ctx);
    gpu->forward(ctx);
    int checked = 0;
    for (const ir::Node& n : p.graph.nodes) {
      if (n.op != "Dropout") continue;
      const std::vector<float> a = read(*cpu, n.outputs.at(0)), b = read(*gpu, n.outputs.at(0));
      for (size_t i = 0; i < a.size(); ++i) REQUIRE((a[i] == 0.f) == (b[i] == 0.f));
      CHECK(relative_difference(b, a) < 1e-4);
      ++checked;
    }
    CHECK(checked == 2);
  }
  SUBCASE("LSTM outputs: dropped units and padded frames are exact zeros on both") {
    const plan::Plan p = tiny("specs/simple_lstm_2048.ynet", {{"hidden", "8"}}, 4, 6);
    auto cpu = prepared("cpu", p, 11);
    auto gpu = prepared("cuda:fp32", p, 11);
    cpu->forward(ctx);
    gpu->forward(ctx);
    const auto lstm = std::find_if(p.graph.nodes.begin(), p.graph.nodes.end(), [](const ir::Node& n) { return n.op == "LSTM"; });
    REQUIRE(lstm != p.graph.nodes.end());
    const std::vector<float> a = read(*cpu, lstm->outputs.at(0)), b = read(*gpu, lstm->outputs.at(0));
    size_t zeros = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      REQUIRE((a[i] == 0.f) == (b[i] == 0.f));
      zeros += a[i] == 0.f;
    }
    CHECK(zeros > 0);
    CHECK(relative_difference(b, a) < 1e-4);
  }
}

TEST_CASE("the same seed gives bit-identical losses on the GPU, run after run") {
  if (skip_without_gpu()) return;
  const plan::Plan p = tiny("specs/lstm_moe_512.ynet", {{"hidden", "8"}, {"experts", "4"}, {"expert_units", "8"}}, 4, 5);
  auto first = prepared("cuda:tf32", p, 5);
  auto second = prepared("cuda:tf32", p, 5);
  const std::vector<float> a = losses(*first, 8, 1e-3, 5), b = losses(*second, 8, 1e-3, 5);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  CHECK(a.back() < a.front());
}

TEST_CASE("training on the GPU follows the CPU step by step, for every optimizer and clipping") {
  if (skip_without_gpu()) return;
  const std::vector<std::string> settings{
      "batch = 4\noptimizer = RMSProp(lr: 1e-2, momentum: 0.5)\nclip_norm = 0.5",
      "batch = 4\noptimizer = Adam(lr: 1e-2)\nclip_norm = 0.5\nclip = global",
      "batch = 4\noptimizer = SGD(lr: 0.1, momentum: 0.9)\nclip_norm = 0",
  };
  for (const std::string& train : settings) {
    INFO(train);
    const plan::Plan p = from_text(with_training(kSmallModel, train), 4, 6);
    auto cpu = prepared("cpu", p, 3);
    auto gpu = prepared("cuda:fp32", p, 3);
    const std::vector<float> a = losses(*cpu, 6, p.meta.optimizer.args.at("lr"), 3);
    const std::vector<float> b = losses(*gpu, 6, p.meta.optimizer.args.at("lr"), 3);
    CHECK(relative_difference(b, a) < 1e-3);
    for (const ir::ParamEntry& param : p.graph.params) {
      INFO(param.name);
      CHECK(relative_difference(read(*gpu, param.value), read(*cpu, param.value)) < 1e-3);
    }
  }
}

TEST_CASE("a checkpoint trained on the GPU predicts on the CPU what it predicts on the GPU") {
  if (skip_without_gpu()) return;
  const TempDir dir;
  const std::string model = with_training(kSmallModel, "batch = 4\noptimizer = RMSProp(lr: 1e-2)");
  const plan::Plan train_plan = from_text(model, 4, 6);
  auto trainer = prepared("cuda:tf32", train_plan, 9);
  losses(*trainer, 5, 1e-2, 9);
  const std::string path = dir.file("ckpt-5.pb");
  train::save_checkpoint(path, {train_plan.meta.model, 5, 20, 9, "", trainer->name()}, train_plan, *trainer);

  const plan::Plan infer_plan = from_text(model, 4, 6, plan::Mode::Infer);
  std::vector<std::vector<float>> predictions;
  for (const std::string backend : {"cpu", "cuda:fp32"}) {
    auto b = runtime::make_backend(backend, {});
    b->bind(infer_plan);
    train::load_checkpoint(path, infer_plan, *b, true);
    train::write_random_batch(infer_plan, 21, *b);
    b->run(ir::Phase::Prologue, {5, 0, 9});
    b->forward({5, 0, 9});
    REQUIRE(!infer_plan.graph.live_out.empty());
    predictions.push_back(read(*b, infer_plan.graph.live_out.front()));
  }
  CHECK(relative_difference(predictions[1], predictions[0]) < 1e-4);
}

TEST_CASE("a plan larger than the GPU fails to bind, naming the memory it needs") {
  if (skip_without_gpu()) return;
  const plan::Plan p = tiny("specs/bof_4096.ynet", {}, 65536, 90);
  auto backend = runtime::make_backend("cuda", {});
  try {
    backend->bind(p);
    FAIL("a 65536-video BoF_4096 plan fits on this GPU");
  } catch (const runtime::BindError& e) {
    const std::string message = e.what();
    CHECK(message.find("GPU memory") != std::string::npos);
    CHECK(message.find("--batch") != std::string::npos);
  }
}

TEST_CASE("ynet verify --backend cuda: passes on a GPU; without one, says there is no CUDA device") {
  const test::CliRun run = run_ynet("verify specs/bof_4096.ynet --set fc=8 --batch 3 --frames 3 --backend cuda");
  INFO(run.output);
  if (unavailable().empty()) {
    CHECK(run.status == 0);
    CHECK(run.has("0 failed"));
  } else {
    CHECK(run.status == 1);
    CHECK(run.has("no CUDA device"));
    CHECK(!run.has("verifying"));
  }
  CHECK(run_ynet("verify specs/bof_4096.ynet --backend cpu --precision tf32").status == 2);
}
