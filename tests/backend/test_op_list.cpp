// The op list (ops/all_ops.h) against what the compiler emits: every step of every plan that any
// spec in specs/ and examples/ compiles to (training, inference, int8 inference, frames pooled as
// stored bytes) has a kernel in every backend this build has. The analogue of a static check that
// no op table was forgotten: a new op whose steps.cpp or cuda_steps.cpp misses a step fails here,
// not at bind time on a user's machine.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "compiler/lower/compile.h"
#include "tests/backend/spec_plans.h"
#include "ops/lowering.h"
#include "ops/registry.h"
#include "ops/step_tables.h"
#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
#include "ops/support/cuda/step_table.h"
#endif

using namespace ynet;

namespace {

struct StepUse {
  std::string op;
  std::string where;  // the first plan that has it
  bool int8 = false;  // only int8 plans have it (int8 is for the CPU)
};

// Every step op in the plans of every spec, with the first plan it appears in.
std::vector<StepUse> steps_in_plans() {
  std::vector<StepUse> uses;
  std::set<std::string> seen;
  auto collect = [&](const plan::Plan& p, const std::string& where, bool int8) {
    for (const ir::Node& n : p.graph.nodes)
      if (seen.insert(n.op).second) uses.push_back({n.op, where, int8});
  };
  for (const sema::CheckedModel& model : test::all_models(false)) {
    const std::string& spec = model.source_path;
    compiler::CompileOptions options;
    options.batch = 2;
    options.max_frames = test::frame_level(model) ? 4 : 0;
    collect(compiler::compile(model, options).plan, spec + " (train)", false);
    options.mode = plan::Mode::Infer;
    plan::Plan infer = compiler::compile(model, options).plan;
    collect(infer, spec + " (infer)", false);
    if (test::frame_level(model)) {
      plan::Plan bytes = infer;
      compiler::pool_stored_frames(bytes, 4.0 / 255.0, -2.0);
      collect(bytes, spec + " (infer, stored bytes)", false);
    }
    compiler::quantize_int8(infer);
    collect(infer, spec + " (infer, int8)", true);
  }
  return uses;
}

}  // namespace

TEST_CASE("every step the compiler emits has a kernel in every backend of this build") {
  const std::vector<StepUse> uses = steps_in_plans();
  CHECK(uses.size() > 20);  // the specs reach most of the op list
  for (const StepUse& use : uses) {
    CAPTURE(use.where);
    CHECK_MESSAGE(runtime::reference_steps().contains(use.op), "reference backend lacks ", use.op);
    CHECK_MESSAGE(runtime::cpu_steps().contains(use.op), "cpu backend lacks ", use.op);
#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
    // int8 is for the CPU: the CUDA backend refuses an int8 plan at bind time, naming the step.
    if (!use.int8) CHECK_MESSAGE(runtime::cuda::cuda_steps().contains(use.op), "cuda backend lacks ", use.op);
#endif
  }
}

TEST_CASE("every backend's steps are steps the compiler can emit, and every gradient rule has its step") {
  std::set<std::string> emitted;
  for (const StepUse& use : steps_in_plans()) emitted.insert(use.op);
  // A kernel no plan can reach is dead code, or a step whose lowering was lost.
  for (const auto& [op, factory] : runtime::cpu_steps()) {
    CAPTURE(op);
    CHECK(emitted.contains(op));
    CHECK(runtime::reference_steps().contains(op));
  }
  for (const auto& [op, factory] : runtime::reference_steps()) {
    CAPTURE(op);
    CHECK(runtime::cpu_steps().contains(op));
  }
  for (const ops::OpDef& def : ops::all_ops()) {
    if (def.category != "layer" && def.category != "loss") continue;
    CAPTURE(def.name);
    CHECK_MESSAGE(ops::find_lowering(def.name) != nullptr, "layer without a lowering rule");
  }
}
