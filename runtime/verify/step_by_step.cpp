#include "runtime/verify/step_by_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "runtime/train/initialize.h"
#include "runtime/train/random_batch.h"

namespace ynet::verify {
namespace {

constexpr ir::Phase kPhases[] = {ir::Phase::Prologue, ir::Phase::Forward, ir::Phase::Loss, ir::Phase::Backward,
                                 ir::Phase::Optimizer};

// Binds the plan and writes the parameters and a batch drawn from `seed`; the prologue has not run.
void bind_and_fill(runtime::Backend& backend, const plan::Plan& plan, uint64_t seed) {
  backend.bind(plan);
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(plan.meta.classes, 1)));
  for (size_t c = 0; c < counts.size(); ++c) counts[c] = 1 + static_cast<int64_t>(c % 7);
  train::initialize(plan, seed, counts, [&](int v, std::span<const float> d) { backend.write(v, d); });
  train::write_random_batch(plan, seed, backend);
}

bool is_float(const plan::Plan& plan, int value) {
  return value >= 0 && plan.graph.value(value).dtype == ir::DType::F32;
}

std::vector<float> read_value(const runtime::Backend& backend, int value) {
  std::vector<float> out(static_cast<size_t>(backend.plan().graph.value(value).elements()));
  backend.read(value, out);
  return out;
}

double largest_magnitude(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
  return m;
}

double step_error(const plan::Plan& plan, const ir::Node& node, const runtime::Backend& tested,
                  const runtime::Backend& reference) {
  double input_scale = 0;
  for (int v : node.inputs)
    if (is_float(plan, v)) input_scale = std::max(input_scale, largest_magnitude(read_value(reference, v)));
  double worst = 0;
  for (int v : node.outputs) {
    if (!is_float(plan, v)) continue;
    const std::vector<float> want = read_value(reference, v), got = read_value(tested, v);
    double diff = 0;
    for (size_t i = 0; i < want.size(); ++i) diff = std::max(diff, static_cast<double>(std::fabs(got[i] - want[i])));
    if (!std::isfinite(diff)) return INFINITY;
    worst = std::max(worst, diff / std::max({largest_magnitude(want), 1e-3 * input_scale, 1e-30}));
  }
  return worst;
}

}  // namespace

void prepare(runtime::Backend& backend, const plan::Plan& plan, uint64_t seed) {
  bind_and_fill(backend, plan, seed);
  backend.run(ir::Phase::Prologue, {0, 0, seed});
}

bool StepReport::passed() const {
  return std::all_of(steps.begin(), steps.end(), [](const StepCheck& c) { return c.passed(); });
}

std::string StepReport::table() const {
  struct Worst { int count = 0; const StepCheck* check = nullptr; };
  std::map<std::string, Worst> by_op;
  for (const StepCheck& c : steps) {
    Worst& w = by_op[c.op];
    ++w.count;
    if (!w.check || c.error > w.check->error) w.check = &c;
  }
  std::string out = fmt::format("{:<24} {:>5} {:>12} {:>10}  {:<32} {}\n", "step op", "steps", "worst error",
                                "tolerance", "worst at (step, layer)", "");
  for (const auto& [op, w] : by_op)
    out += fmt::format("{:<24} {:>5} {:>12.3e} {:>10.0e}  {:<32} {}\n", op, w.count, w.check->error, w.check->tolerance,
                       fmt::format("{}, {}", w.check->step, w.check->layer), w.check->passed() ? "ok" : "FAIL");
  return out;
}

StepReport compare_steps(const plan::Plan& plan, const std::string& backend, uint64_t seed, double tolerance) {
  auto reference = runtime::make_backend("reference", {});
  auto tested = runtime::make_backend(backend, {});
  bind_and_fill(*reference, plan, seed);
  bind_and_fill(*tested, plan, seed);
  StepReport report;
  report.backend = tested->name();
  const runtime::StepContext ctx{1, 0.01, seed};
  for (ir::Phase phase : kPhases) {
    const auto steps = reference->steps_of(phase);
    for (size_t position = 0; position < steps.size(); ++position) {
      const ir::Node& node = plan.graph.nodes[static_cast<size_t>(steps[position])];
      for (int v : node.inputs)
        if (is_float(plan, v)) tested->write(v, read_value(*reference, v));
      reference->run_step(phase, position, ctx);
      tested->run_step(phase, position, ctx);
      tested->synchronize();
      report.steps.push_back({steps[position], node.op, node.layer, step_error(plan, node, *tested, *reference), tolerance});
    }
  }
  return report;
}

}  // namespace ynet::verify
