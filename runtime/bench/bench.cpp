#include "runtime/bench/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "runtime/backend/backend.h"
#include "runtime/train/initialize.h"
#include "runtime/train/random_batch.h"

namespace ynet::bench {
namespace {

using Clock = std::chrono::steady_clock;

PhaseTime summarize(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

void prepare(runtime::Backend& backend, const plan::Plan& plan, uint64_t seed) {
  backend.bind(plan);
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(plan.meta.classes, 1)), 1);
  train::initialize(plan, seed, counts, [&](int v, std::span<const float> d) { backend.write(v, d); });
  train::write_random_batch(plan, seed, backend);
  backend.run(ir::Phase::Prologue, {0, 0, seed});
}

// Runs the given phases `steps` times after `warmup`, timing each step on its own.
std::vector<StepTime> profile(runtime::Backend& backend, std::initializer_list<ir::Phase> phases, const Options& options,
                              double learning_rate) {
  std::vector<std::vector<double>> times;
  std::vector<StepTime> result;
  for (ir::Phase phase : phases)
    for (int node : backend.steps_of(phase)) result.push_back({node, 0});
  times.resize(result.size());
  for (int i = 0; i < options.warmup + options.steps; ++i) {
    const runtime::StepContext ctx{i, learning_rate, options.seed};
    size_t k = 0;
    for (ir::Phase phase : phases) {
      for (size_t position = 0; position < backend.steps_of(phase).size(); ++position, ++k) {
        const auto t0 = Clock::now();
        backend.run_step(phase, position, ctx);
        backend.synchronize();
        if (i >= options.warmup) times[k].push_back(elapsed_ms(t0));
      }
    }
  }
  for (size_t k = 0; k < result.size(); ++k) result[k].median_ms = summarize(times[k]).median_ms;
  return result;
}

}  // namespace

Result run(const plan::Plan& train_plan, const plan::Plan& infer_plan, const Options& options) {
  Result r;
  r.batch = train_plan.meta.batch;
  {
    auto backend = runtime::make_backend(options.backend, {options.threads});
    prepare(*backend, train_plan, options.seed);
    std::vector<double> fwd, loss, bwd, opt, step;
    const double lr = 1e-6;  // small: the timing must not depend on the weights drifting
    for (int i = 0; i < options.warmup + options.steps; ++i) {
      const runtime::StepContext ctx{i, lr, options.seed};
      const auto t0 = Clock::now();
      backend->run(ir::Phase::Forward, ctx);
      backend->synchronize();
      const double f = elapsed_ms(t0);
      auto t = Clock::now();
      backend->run(ir::Phase::Loss, ctx);
      backend->synchronize();
      const double l = elapsed_ms(t);
      t = Clock::now();
      backend->run(ir::Phase::Backward, ctx);
      backend->synchronize();
      const double b = elapsed_ms(t);
      t = Clock::now();
      backend->run(ir::Phase::Optimizer, ctx);
      backend->synchronize();
      const double o = elapsed_ms(t);
      if (i < options.warmup) continue;
      fwd.push_back(f);
      loss.push_back(l);
      bwd.push_back(b);
      opt.push_back(o);
      step.push_back(elapsed_ms(t0));
    }
    r.forward = summarize(fwd);
    r.loss = summarize(loss);
    r.backward = summarize(bwd);
    r.optimizer = summarize(opt);
    r.train_step = summarize(step);
    if (options.profile)
      r.train_profile = profile(*backend, {ir::Phase::Forward, ir::Phase::Loss, ir::Phase::Backward, ir::Phase::Optimizer},
                                options, lr);
  }
  {
    auto backend = runtime::make_backend(options.backend, {options.threads});
    prepare(*backend, infer_plan, options.seed);
    std::vector<double> times;
    for (int i = 0; i < options.warmup + options.steps; ++i) {
      const auto t0 = Clock::now();
      backend->forward({i, 0, options.seed});
      backend->synchronize();
      if (i >= options.warmup) times.push_back(elapsed_ms(t0));
    }
    r.inference = summarize(times);
    if (options.profile) r.inference_profile = profile(*backend, {ir::Phase::Forward, ir::Phase::Loss}, options, 0);
  }
  const double batch = static_cast<double>(r.batch);
  int64_t train_flops = 0;
  for (const ir::Node& n : train_plan.graph.nodes) train_flops += n.flops;
  int64_t infer_flops = 0;
  for (const ir::Node& n : infer_plan.graph.nodes)
    if (n.phase == ir::Phase::Forward) infer_flops += n.flops;
  r.train_samples_per_s = batch / (r.train_step.median_ms / 1e3);
  r.inference_samples_per_s = batch / (r.inference.median_ms / 1e3);
  r.train_gflops = static_cast<double>(train_flops) / (r.train_step.median_ms / 1e3) / 1e9;
  r.inference_gflops = static_cast<double>(infer_flops) / (r.inference.median_ms / 1e3) / 1e9;
  r.inference_int8 = std::any_of(infer_plan.graph.nodes.begin(), infer_plan.graph.nodes.end(),
                                 [](const ir::Node& n) { return n.op == "QuantizeDense"; });
  return r;
}

std::string format(const Result& r, const plan::Plan& plan, const std::string& backend) {
  std::string out = fmt::format("{} on {}, batch {}, max_frames {} (median of the timed steps; min in brackets)\n",
                                plan.meta.model, backend, r.batch, plan.meta.max_frames);
  auto row = [&](const char* name, const PhaseTime& t) {
    out += fmt::format("  {:<12} {:>10.2f} ms  [{:.2f}]\n", name, t.median_ms, t.min_ms);
  };
  row("forward", r.forward);
  row("loss", r.loss);
  row("backward", r.backward);
  row("update", r.optimizer);
  row("train step", r.train_step);
  row(r.inference_int8 ? "inference int8" : "inference", r.inference);
  out += fmt::format("  training   {:>10.1f} samples/s  {:>8.1f} GFLOP/s\n", r.train_samples_per_s, r.train_gflops);
  // An int8 product is counted at its multiply-adds, as a float one is: GOP/s.
  out += fmt::format("  inference  {:>10.1f} samples/s  {:>8.1f} {}\n", r.inference_samples_per_s, r.inference_gflops,
                     r.inference_int8 ? "GOP/s (int8)" : "GFLOP/s");
  return out;
}

}  // namespace ynet::bench

namespace ynet::bench {

std::string format_profile(const std::vector<StepTime>& steps, const plan::Plan& plan, const std::string& title) {
  double total = 0;
  for (const StepTime& s : steps) total += s.median_ms;
  std::vector<StepTime> sorted = steps;
  std::stable_sort(sorted.begin(), sorted.end(), [](const StepTime& a, const StepTime& b) { return a.median_ms > b.median_ms; });
  std::string out = fmt::format("{}: {} steps, {:.2f} ms in all (median per step, synchronised after each)\n", title,
                                steps.size(), total);
  out += fmt::format("  {:>4}  {:<9} {:<22} {:<28} {:>9} {:>6} {:>9}\n", "step", "phase", "op", "layer", "ms", "share",
                     "GFLOP/s");
  for (const StepTime& s : sorted) {
    const ir::Node& n = plan.graph.nodes.at(static_cast<size_t>(s.node));
    const double gflops = s.median_ms > 0 ? static_cast<double>(n.flops) / (s.median_ms / 1e3) / 1e9 : 0;
    out += fmt::format("  {:>4}  {:<9} {:<22} {:<28} {:>9.3f} {:>5.1f}% {:>9.1f}\n", s.node, ir::to_string(n.phase), n.op,
                       n.layer.size() > 28 ? n.layer.substr(0, 25) + "..." : n.layer, s.median_ms,
                       total > 0 ? 100 * s.median_ms / total : 0, gflops);
  }
  return out;
}

}  // namespace ynet::bench
