// Lowering the paper's specs to plans: shapes, FLOPs in closed form, memory layout, the protobuf
// round trip, inference passes, and the emitters.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "plan/emit/emit.h"
#include "compiler/lower/compile.h"
#include "compiler/sema/size_limits.h"
#include "tests/support/cli_run.h"

using namespace ynet;

namespace {

sema::CheckedModel checked(const std::string& path, std::vector<std::pair<std::string, std::string>> sets = {}) {
  sema::CheckResult r = sema::check_file(path, sets);
  REQUIRE_MESSAGE(r.model.has_value(), path);
  return *r.model;
}

plan::Plan compiled(const std::string& path, plan::Mode mode, int64_t batch,
                    std::vector<std::pair<std::string, std::string>> sets = {}) {
  compiler::CompileOptions o;
  o.batch = batch;
  o.mode = mode;
  return compiler::compile(checked(path, std::move(sets)), o).plan;
}

const ir::Node* find_step(const plan::Plan& p, const std::string& op) {
  for (const ir::Node& n : p.graph.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

const char* kPaperSpecs[] = {"specs/bof_4096.ynet", "specs/simple_lstm_2048.ynet", "specs/lstm_moe_512.ynet"};

}  // namespace

TEST_CASE("every paper spec compiles in both modes to a valid, round-tripping plan") {
  for (const char* spec : kPaperSpecs)
    for (plan::Mode mode : {plan::Mode::Train, plan::Mode::Infer}) {
      CAPTURE(spec);
      const plan::Plan p = compiled(spec, mode, 32);
      CHECK(plan::layout_is_valid(p.graph, p.memory));
      CHECK(p.memory.arena_bytes <= p.memory.naive_bytes);
      const std::string bytes = plan::to_bytes(p);
      const plan::Plan back = plan::from_bytes(bytes);
      CHECK(plan::to_bytes(back) == bytes);
      CHECK(emit::text(back) == emit::text(p));
      if (mode == plan::Mode::Train) {
        CHECK(p.graph.loss >= 0);
        CHECK(find_step(p, "RMSProp") != nullptr);
        CHECK(find_step(p, "ClipByNorm") != nullptr);
        for (const ir::ParamEntry& e : p.graph.params) CHECK_MESSAGE(e.grad >= 0, e.name);
      } else {
        CHECK(p.graph.loss == -1);
        CHECK(find_step(p, "Dropout") == nullptr);
        CHECK(find_step(p, "SigmoidCrossEntropy") == nullptr);
      }
    }
}

TEST_CASE("Dense and LSTM FLOPs follow the closed forms") {
  const int64_t B = 16, T = 90, F = 1152, H = 2048, C = 4716;
  const plan::Plan p = compiled("specs/simple_lstm_2048.ynet", plan::Mode::Train, B);
  const ir::Node* lstm = find_step(p, "LSTM");
  REQUIRE(lstm != nullptr);
  // Two layers: 2 B T (in + H) 4H multiply-adds for the gates, plus 15 element-wise FLOPs per unit.
  const int64_t expected = 2 * B * T * (F + H) * 4 * H + 15 * B * T * H + 2 * B * T * (H + H) * 4 * H + 15 * B * T * H;
  CHECK(lstm->flops == expected);
  const ir::Node* grad = find_step(p, "LSTM.grad");
  REQUIRE(grad != nullptr);
  CHECK(grad->flops == 2 * expected);
  const ir::Node* dense = find_step(p, "Dense");
  REQUIRE(dense != nullptr);
  CHECK(dense->flops == 2 * B * H * C + 2 * B * C);
}

TEST_CASE("inference folds BatchNorm into Dense and fuses the output sigmoid") {
  const plan::Plan p = compiled("specs/bof_4096.ynet", plan::Mode::Infer, 8);
  CHECK(find_step(p, "FoldBatchNorm") != nullptr);
  CHECK(find_step(p, "Activation") == nullptr);
  bool sigmoid_dense = false;
  for (const ir::Node& n : p.graph.nodes)
    if (n.op == "Dense" && ir::attr_string(n.attrs, "activation", "") == "sigmoid") sigmoid_dense = true;
  CHECK(sigmoid_dense);
}

TEST_CASE("BoF's inference plan pools its frames as stored bytes; an LSTM's does not") {
  plan::Plan bof = compiled("specs/bof_4096.ynet", plan::Mode::Infer, 8);
  const int frames = bof.graph.find_value("input.features");
  const int64_t arena = bof.memory.arena_bytes;
  const compiler::PassReport report = compiler::pool_stored_frames(bof, 4.0 / 255, 4.0 / 512 - 2);
  CHECK(report.changes == 1);
  CHECK(bof.graph.value(frames).dtype == ir::DType::U8);
  CHECK(plan::layout_is_valid(bof.graph, bof.memory));
  CHECK(arena - bof.memory.arena_bytes == 3 * bof.graph.value(frames).elements());  // 4 bytes to 1 per value
  const plan::Plan back = plan::from_bytes(plan::to_bytes(bof));
  CHECK(back.graph.value(frames).dtype == ir::DType::U8);
  CHECK(emit::text(back) == emit::text(bof));
  CHECK(emit::text(bof).find("u8") != std::string::npos);

  plan::Plan lstm = compiled("specs/simple_lstm_2048.ynet", plan::Mode::Infer, 8);
  CHECK(compiler::pool_stored_frames(lstm, 4.0 / 255, 4.0 / 512 - 2).changes == 0);
  plan::Plan training = compiled("specs/bof_4096.ynet", plan::Mode::Train, 8);
  CHECK_THROWS_AS(compiler::pool_stored_frames(training, 1, 0), std::invalid_argument);
}

TEST_CASE("a plan file that is not one, is corrupt, or is newer is rejected") {
  const plan::Plan p = compiled("specs/bof_4096.ynet", plan::Mode::Infer, 4);
  std::string bytes = plan::to_bytes(p);
  CHECK_THROWS_AS(plan::from_bytes("not a plan"), plan::PlanFormatError);
  std::string truncated = bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_AS(plan::from_bytes(truncated), plan::PlanFormatError);
  std::string newer = bytes;
  newer[9] = static_cast<char>(plan::kPlanFormatVersion + 1);  // field 1 (format_version) follows the signature
  CHECK_THROWS_WITH_AS(plan::from_bytes(newer), doctest::Contains("newer"), plan::PlanFormatError);
}

TEST_CASE("ynet compile: every format, a saved plan, and bad input") {
  const std::string dir = test::scratch_dir("compile");
  for (const char* emit : {"text", "json", "summary", "dot"}) {
    const test::CliRun r = test::run_ynet(std::string("compile specs/lstm_moe_512.ynet --batch 4 --emit ") + emit);
    CHECK_MESSAGE(r.status == 0, r.output);
  }
  const test::CliRun dot = test::run_ynet("compile specs/bof_4096.ynet --emit dot -o " + dir + "/plan.dot");
  REQUIRE(dot.status == 0);
  CHECK(std::system(("dot -Tsvg " + dir + "/plan.dot -o " + dir + "/plan.svg").c_str()) == 0);
  const test::CliRun proto = test::run_ynet("compile specs/bof_4096.ynet --mode infer --emit proto -o " + dir + "/p.pb");
  REQUIRE(proto.status == 0);
  const test::CliRun again = test::run_ynet("compile " + dir + "/p.pb --emit text");
  CHECK(again.status == 0);
  CHECK(again.has("plan BoF_4096 mode=infer"));
  CHECK(test::run_ynet("compile specs/bof_4096.ynet --batch 0").status == 2);
  CHECK(test::run_ynet("compile specs/bof_4096.ynet --emit yaml").status == 2);
  const test::CliRun unwritable = test::run_ynet("compile specs/bof_4096.ynet -o /nonexistent/dir/plan.txt");
  CHECK(unwritable.status == 1);
  CHECK(unwritable.has("cannot write '/nonexistent/dir/plan.txt'"));
}

TEST_CASE("at the largest batch the size check lets through, every size and FLOP count is positive") {
  // The check estimates sizes in floating point and stops a factor of 32 under 2^63; the plan then
  // computes them exactly in 64-bit integers. At the largest batch it accepts, for every spec,
  // none of those integers may wrap, and the estimate must not undercount the plan's own figures.
  std::vector<std::string> specs;
  for (const char* dir : {"specs", "examples"})
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".ynet") specs.push_back(entry.path().string());
  std::sort(specs.begin(), specs.end());
  REQUIRE(specs.size() > 10);
  for (const std::string& spec : specs) {
    CAPTURE(spec);
    const sema::CheckedModel model = checked(spec);
    int64_t fits = 1, too_large = int64_t{1} << 50;
    REQUIRE_FALSE(sema::find_size_problem(model, fits));
    REQUIRE(sema::find_size_problem(model, too_large));
    while (too_large - fits > 1) {
      const int64_t mid = fits + (too_large - fits) / 2;
      (sema::find_size_problem(model, mid) ? too_large : fits) = mid;
    }
    CAPTURE(fits);
    for (plan::Mode mode : {plan::Mode::Train, plan::Mode::Infer}) {
      compiler::CompileOptions o;
      o.batch = fits;
      o.mode = mode;
      const plan::Plan p = compiler::compile(model, o).plan;
      for (const ir::Value& v : p.graph.values) CHECK(v.bytes() >= 0);
      CHECK(p.memory.arena_bytes > 0);
      CHECK(p.memory.arena_bytes <= sema::kMaxStepBytes);
      CHECK(p.memory.naive_bytes >= p.memory.transient_bytes);
      CHECK(p.flops(ir::Phase::Forward) > 0);
      CHECK(p.flops(ir::Phase::Forward) <= sema::kMaxStepFlops);
      if (mode == plan::Mode::Train) CHECK(p.flops(ir::Phase::Backward) > 0);
    }
    compiler::CompileOptions o;
    o.batch = fits + 1;
    CHECK_THROWS(compiler::compile(model, o));
  }
}
