// Whole-model checks: the reference backend's gradients against finite differences and the oneDNN
// backend against the reference, for each paper spec shrunk to a tiny size; and determinism.
#include <doctest/doctest.h>

#include <cstring>
#include <omp.h>

#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/train/initialize.h"
#include "runtime/train/random_batch.h"
#include "runtime/verify/verify.h"
#include "tests/support/cli_run.h"

using namespace ynet;

namespace {

plan::Plan tiny(const std::string& spec, std::vector<std::pair<std::string, std::string>> sets, int64_t batch,
                int64_t frames) {
  sema::CheckResult r = sema::check_file(spec, sets);
  REQUIRE_MESSAGE(r.model.has_value(), spec);
  compiler::CompileOptions o;
  o.batch = batch;
  o.max_frames = frames;
  return compiler::compile(*r.model, o).plan;
}

void require_verified(const plan::Plan& p) {
  const verify::Report report = verify::run(p, {});
  INFO(report.table());
  CHECK(report.passed());
}

// Losses of `steps` training steps on one random batch, with `threads` threads.
std::vector<float> losses(const plan::Plan& p, int threads, int steps) {
  auto backend = runtime::make_backend("cpu", {threads});
  backend->bind(p);
  train::initialize(p, 5, {}, [&](int v, std::span<const float> d) { backend->write(v, d); });
  train::write_random_batch(p, 5, *backend);
  std::vector<float> out, loss(1);
  for (int s = 0; s < steps; ++s) {
    backend->train_step({s, 1e-3, 5});
    backend->read(p.graph.loss, loss);
    out.push_back(loss[0]);
  }
  return out;
}

}  // namespace

TEST_CASE("BoF_4096, shrunk: gradients and the oneDNN backend verify") {
  require_verified(tiny("specs/bof_4096.ynet", {{"fc", "12"}}, 4, 5));
}

TEST_CASE("Simple_LSTM_2048, shrunk: gradients and the oneDNN backend verify") {
  require_verified(tiny("specs/simple_lstm_2048.ynet", {{"hidden", "6"}}, 3, 4));
}

TEST_CASE("LSTM_MoE_512, shrunk: gradients (with the MoE losses) and the oneDNN backend verify") {
  require_verified(tiny("specs/lstm_moe_512.ynet", {{"hidden", "6"}, {"experts", "4"}, {"expert_units", "8"}}, 3, 3));
}

TEST_CASE("the same seed gives bit-identical losses over 20 steps with 1 and 2 threads") {
  const plan::Plan p = tiny("specs/simple_lstm_2048.ynet", {{"hidden", "16"}}, 4, 6);
  const std::vector<float> one = losses(p, 1, 20), two = losses(p, 2, 20);
  REQUIRE(one.size() == two.size());
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
  CHECK(one.back() < one.front());
}

TEST_CASE("ynet verify through the command line: a pass and a usage error") {
  const test::CliRun ok = test::run_ynet("verify specs/bof_4096.ynet --set fc=8 --batch 3 --frames 3");
  CHECK_MESSAGE(ok.status == 0, ok.output);
  CHECK(ok.has("0 failed"));
  CHECK(test::run_ynet("verify specs/bof_4096.ynet --backend tpu").status == 2);
}
