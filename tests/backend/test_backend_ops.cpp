// The per-op harness: every step of the plans of every spec (shrunk to test size, at two shapes),
// forward, loss, backward and optimizer, run kernel by kernel on every backend this build can run
// against the double-precision reference (verify::compare_steps). Gradients of the reference itself
// are checked against finite differences by `ynet verify` (tests/runtime/test_verify.cpp). On a
// machine with a GPU the CUDA backend is checked the same way, and the first wrong kernel is named.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "ops/step_tables.h"
#include "runtime/backend/backend.h"
#include "runtime/verify/step_by_step.h"
#include "tests/backend/spec_plans.h"

using namespace ynet;

namespace {

struct Shape {
  int64_t batch, frames;
};
constexpr Shape kShapes[] = {{2, 4}, {3, 2}};

// The backends to check here, each with its tolerance against the reference for one kernel.
std::vector<std::pair<std::string, double>> tested_backends() {
  std::vector<std::pair<std::string, double>> out = {{"cpu", 1e-4}};
  static const std::string cuda_missing = runtime::cuda_unavailable_reason();
  if (cuda_missing.empty()) out.emplace_back("cuda:fp32", 1e-4);
  return out;
}

void say_what_is_not_checked() {
  const std::string cuda_missing = runtime::cuda_unavailable_reason();
  if (!cuda_missing.empty()) MESSAGE("CUDA kernels not checked: ", cuda_missing);
}

void check_plan(const plan::Plan& plan, const std::string& name, double tolerance_scale, std::set<std::string>& covered) {
  for (const auto& [backend, tolerance] : tested_backends()) {
    if (backend != "cpu" && plan.graph.nodes.end() != std::find_if(plan.graph.nodes.begin(), plan.graph.nodes.end(),
                                                                   [](const ir::Node& n) { return n.op == "QuantizeDense"; }))
      continue;  // int8 is for the CPU
    const verify::StepReport report = verify::compare_steps(plan, backend, 7, tolerance * tolerance_scale);
    CHECK_MESSAGE(report.passed(), name, " on ", backend, ":\n", report.table());
    for (const verify::StepCheck& c : report.steps) covered.insert(c.op);
  }
}

}  // namespace

TEST_CASE("every kernel of every backend matches the reference, step by step, on every spec") {
  say_what_is_not_checked();
  std::set<std::string> covered;
  for (const sema::CheckedModel& model : test::all_models(true)) {
    for (const Shape shape : kShapes) {
      const std::string name = fmt::format("{} (batch {}, {} frames)", model.source_path, shape.batch, shape.frames);
      check_plan(test::compile_small(model, plan::Mode::Train, shape.batch, shape.frames), name + " train", 1, covered);
      plan::Plan infer = test::compile_small(model, plan::Mode::Infer, shape.batch, shape.frames);
      check_plan(infer, name + " infer", 1, covered);
      if (test::frame_level(model)) {
        plan::Plan bytes = infer;
        compiler::pool_stored_frames(bytes, 4.0 / 255.0, -2.0);
        check_plan(bytes, name + " infer, stored bytes", 1, covered);
      }
      compiler::quantize_int8(infer);
      // A row scale computed in float instead of double can move a value across a rounding
      // boundary: one level of 127 in one product term.
      check_plan(infer, name + " infer, int8", 100, covered);
    }
  }
  // Every step the host backends know was exercised (the op list test checks the converse).
  for (const auto& [op, factory] : runtime::cpu_steps()) {
    CAPTURE(op);
    CHECK(covered.contains(op));
  }
}
