// Data parallelism (ops/support/batch_collectives.h): R ranks, each running the plan compiled for
// G/R rows on its slice of a G-row batch, must compute what one process computes on the whole
// batch. Every batch-wide step is exercised: BatchNorm over vectors and over frames of very unequal
// lengths, Dropout, the LSTM's dropout, the MoE's gating noise and its importance and load losses.
// The ranks are threads meeting in ThreadCollectives.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "compiler/lower/compile.h"
#include "compiler/sema/checked_model.h"
#include "runtime/backend/arena_backend.h"
#include "runtime/backend/backend.h"
#include "runtime/train/initialize.h"
#include "runtime/train/random_batch.h"
#include "tests/support/thread_collectives.h"

namespace {

using namespace ynet;

constexpr int64_t kGlobalBatch = 8;
constexpr uint64_t kSeed = 42;

// Vectors: BatchNorm over rows, Dropout, the MoE's noise and losses.
const char* const kVideoSpec = R"(
model DataParallelVideo {
  input  video  = video(mean_rgb: 6, mean_audio: 3)
  labels target = multilabel(5)
  h      = video -> Dense(8, bias: false) -> BatchNorm -> Relu -> Dropout(0.3)
  m      = MoE(h, experts: 4, top_k: 2, noisy: true, w_importance: 0.1, w_load: 0.1,
               expert: { Dense(6, relu) })
  logits = Dense(m, units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train {
  batch     = 8
  optimizer = SGD(lr: 0.1)
}
)";

// Frames: BatchNorm over the valid frames (after a Dense, so that its dx is needed), Dropout on a
// sequence, a two-layer LSTM with dropout, the MoE on frames.
const char* const kFramesSpec = R"(
model DataParallelFrames {
  input  video  = frames(rgb: 6, audio: 3, max_frames: 5)
  labels target = multilabel(5)
  x      = video -> Dense(6, bias: false, per_frame: true) -> BatchNorm -> Dropout(0.2)
  h      = LSTM(x, hidden: 6, layers: 2, dropout: 0.4)
  m      = MoE(h, experts: 4, top_k: 2, noisy: true, w_importance: 0.1, w_load: 0.1,
               expert: { Dense(6, relu) })
  logits = Dense(TimeWeightedSum(m, weights: linear), units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train {
  batch     = 8
  optimizer = SGD(lr: 0.1)
}
)";

// Frames per video: with 2 ranks the first holds 19 valid frames and the second 4, with 4 ranks
// 10, 9, 1 and 3; one video has none.
const std::vector<int32_t> kLengths = {5, 5, 4, 5, 1, 0, 2, 1};

plan::Plan compile_at(const char* spec, int64_t batch) {
  sema::CheckResult checked = sema::check_source("data_parallel.ynet", spec, {});
  REQUIRE(checked.model);
  compiler::CompileOptions options;
  options.batch = batch;
  return compiler::compile(*checked.model, options).plan;
}

// The global batch's inputs, row-major with the batch first.
struct Batch {
  std::vector<float> features, labels;
  std::vector<int32_t> lengths;  // frames only
};

Batch global_batch(const plan::Plan& plan) {
  const train::PlanInputs in = train::find_inputs(plan);
  REQUIRE(in.features >= 0);
  REQUIRE(in.labels >= 0);
  const ir::Value& features = plan.graph.value(in.features);
  REQUIRE(features.dtype == ir::DType::F32);
  Batch batch;
  batch.features.resize(static_cast<size_t>(features.elements()));
  for (size_t i = 0; i < batch.features.size(); ++i)
    batch.features[i] = static_cast<float>(4.0 * train::uniform01(kSeed, 1, i) - 2.0);
  if (in.lengths >= 0) {
    batch.lengths = kLengths;
    const int64_t time = features.shape[1], width = features.shape[2];
    for (int64_t b = 0; b < kGlobalBatch; ++b)
      for (int64_t t = batch.lengths[static_cast<size_t>(b)]; t < time; ++t)
        std::fill_n(batch.features.begin() + (b * time + t) * width, width, 0.0f);
  }
  const int64_t classes = plan.graph.value(in.labels).shape[1];
  batch.labels.assign(static_cast<size_t>(kGlobalBatch * classes), 0.0f);
  for (int64_t b = 0; b < kGlobalBatch; ++b) {
    batch.labels[static_cast<size_t>(b * classes + b % classes)] = 1.0f;
    batch.labels[static_cast<size_t>(b * classes + (3 * b + 1) % classes)] = 1.0f;
  }
  return batch;
}

template <class T>
std::span<const T> rows_of(const std::vector<T>& all, int64_t first_row, int64_t rows) {
  const size_t per_row = all.size() / static_cast<size_t>(kGlobalBatch);
  return std::span<const T>(all).subspan(static_cast<size_t>(first_row) * per_row, static_cast<size_t>(rows) * per_row);
}

// Parameters from the seed (the same values at every batch size), and rows [first_row, +batch).
void prepare(runtime::Backend& backend, const plan::Plan& plan, const Batch& batch, int64_t first_row) {
  backend.bind(plan);
  train::initialize(plan, kSeed, std::vector<int64_t>(5, 1), [&](int v, std::span<const float> d) { backend.write(v, d); });
  const train::PlanInputs in = train::find_inputs(plan);
  const int64_t rows = plan.meta.batch;
  backend.write(in.features, rows_of(batch.features, first_row, rows));
  backend.write(in.labels, rows_of(batch.labels, first_row, rows));
  if (in.lengths >= 0) backend.write(in.lengths, rows_of(batch.lengths, first_row, rows));
}

// A buffer's values; the reference backend's in double.
std::vector<double> read(runtime::Backend& backend, int value) {
  if (auto* reference = dynamic_cast<runtime::ArenaBackend<double>*>(&backend)) {
    const std::span<double> s = reference->buffers().span(value);
    return {s.begin(), s.end()};
  }
  std::vector<float> out(static_cast<size_t>(backend.plan().graph.value(value).elements()));
  backend.read(value, out);
  return {out.begin(), out.end()};
}

void write(runtime::Backend& backend, int value, const std::vector<double>& data) {
  if (auto* reference = dynamic_cast<runtime::ArenaBackend<double>*>(&backend)) {
    std::copy(data.begin(), data.end(), reference->buffers().span(value).begin());
    return;
  }
  const std::vector<float> f(data.begin(), data.end());
  backend.write(value, std::span<const float>(f));
}

// The largest difference relative to the largest magnitude of `want`.
double relative_difference(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  double diff = 0, scale = 1e-30;
  for (size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, std::fabs(got[i] - want[i]));
    scale = std::max(scale, std::fabs(want[i]));
  }
  return diff / scale;
}

runtime::StepContext context_of(int64_t step) {
  runtime::StepContext ctx;
  ctx.step = step;
  ctx.learning_rate = 0.1;
  ctx.seed = kSeed;
  return ctx;
}

// What a process holds after one step's backward, by buffer name.
struct Snapshot {
  std::map<std::string, std::vector<double>> terms;      // the scalar loss and its terms
  std::map<std::string, std::vector<double>> outputs;    // the other live values: per-row outputs
  std::map<std::string, std::vector<double>> gradients;  // the parameters'
  std::map<std::string, std::vector<double>> state;      // BatchNorm moving statistics, optimizer slots
};

Snapshot snapshot(runtime::Backend& backend) {
  const ir::Graph& graph = backend.plan().graph;
  Snapshot s;
  for (int v : graph.live_out) (graph.value(v).elements() == 1 ? s.terms : s.outputs)[graph.value(v).name] = read(backend, v);
  for (const ir::ParamEntry& p : graph.params)
    if (p.grad >= 0) s.gradients[p.name] = read(backend, p.grad);
  for (const ir::StateEntry& state : graph.state) s.state[state.name] = read(backend, state.value);
  return s;
}

constexpr int64_t kSteps = 2;

// One training step up to the parameter update, then the update.
void run_until_update(runtime::Backend& backend, const runtime::StepContext& ctx) {
  for (ir::Phase phase : {ir::Phase::Prologue, ir::Phase::Forward, ir::Phase::Loss, ir::Phase::Backward})
    backend.run(phase, ctx);
}

std::vector<Snapshot> run_whole_batch(const std::string& backend_name, const plan::Plan& plan, const Batch& batch) {
  auto backend = runtime::make_backend(backend_name, {1});
  prepare(*backend, plan, batch, 0);
  std::vector<Snapshot> steps;
  for (int64_t step = 0; step < kSteps; ++step) {
    run_until_update(*backend, context_of(step));
    steps.push_back(snapshot(*backend));
    backend->run(ir::Phase::Optimizer, context_of(step));
  }
  return steps;
}

// Rank r of R on its slice, in its own thread (oneDNN runs a primitive in the thread that created
// it): between backward and the update the ranks average their parameter gradients over the
// collectives, as the trainer does. Returns each step's snapshot, taken before the averaging.
std::vector<Snapshot> run_rank(const std::string& backend_name, const plan::Plan& plan, const Batch& batch, int rank,
                               int ranks, test::ThreadCollectives& collectives) {
  auto backend = runtime::make_backend(backend_name, {1});
  const int64_t rows = plan.meta.batch;
  prepare(*backend, plan, batch, rank * rows);
  runtime::BatchCollectives& sum = collectives.rank(rank);
  std::vector<Snapshot> steps;
  for (int64_t step = 0; step < kSteps; ++step) {
    runtime::StepContext ctx = context_of(step);
    ctx.slice = {kGlobalBatch, rank * rows, &sum};
    run_until_update(*backend, ctx);
    steps.push_back(snapshot(*backend));
    for (const ir::ParamEntry& p : plan.graph.params) {
      if (p.grad < 0) continue;
      std::vector<double> gradient = read(*backend, p.grad);
      sum.sum(gradient.data(), gradient.size());
      for (double& g : gradient) g /= ranks;
      write(*backend, p.grad, gradient);
    }
    backend->run(ir::Phase::Optimizer, ctx);
  }
  return steps;
}

struct Checker {
  std::string label;
  double tolerance;
  double worst = 0;

  void check_close(const std::string& what, const std::vector<double>& got, const std::vector<double>& want) {
    const double diff = relative_difference(got, want);
    INFO(label, " ", what, ": relative difference ", diff);
    CHECK(diff <= tolerance);
    worst = std::max(worst, diff);
  }

  // The ranks' snapshots against the whole batch's: loss terms averaged over the ranks, outputs
  // concatenated in row order, gradients averaged, state equal on every rank.
  void compare(int64_t step, const std::vector<const Snapshot*>& ranks, const Snapshot& whole) {
    const auto n = static_cast<double>(ranks.size());
    for (const auto& [name, want] : whole.terms) {
      std::vector<double> mean(want.size(), 0.0);
      for (const Snapshot* r : ranks)
        for (size_t i = 0; i < mean.size(); ++i) mean[i] += r->terms.at(name)[i] / n;
      check_close(fmt::format("step {} loss term {} (mean over ranks)", step, name), mean, want);
    }
    for (const auto& [name, want] : whole.outputs) {
      std::vector<double> rows;
      for (const Snapshot* r : ranks) rows.insert(rows.end(), r->outputs.at(name).begin(), r->outputs.at(name).end());
      check_close(fmt::format("step {} output {}", step, name), rows, want);
    }
    for (const auto& [name, want] : whole.gradients) {
      std::vector<double> mean(want.size(), 0.0);
      for (const Snapshot* r : ranks)
        for (size_t i = 0; i < mean.size(); ++i) mean[i] += r->gradients.at(name)[i] / n;
      check_close(fmt::format("step {} gradient of {} (mean over ranks)", step, name), mean, want);
    }
    for (const auto& [name, want] : whole.state)
      for (const Snapshot* r : ranks) check_close(fmt::format("step {} state {}", step, name), r->state.at(name), want);
  }
};

void check_spec(const char* spec, const std::string& backend, double tolerance) {
  const plan::Plan whole_plan = compile_at(spec, kGlobalBatch);
  const Batch batch = global_batch(whole_plan);
  const std::vector<Snapshot> whole = run_whole_batch(backend, whole_plan, batch);
  for (const int ranks : {2, 4}) {
    const plan::Plan slice_plan = compile_at(spec, kGlobalBatch / ranks);
    test::ThreadCollectives collectives(ranks);
    std::vector<std::vector<Snapshot>> sliced(static_cast<size_t>(ranks));
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks; ++r)
      threads.emplace_back([&, r] {
        sliced[static_cast<size_t>(r)] = run_rank(backend, slice_plan, batch, r, ranks, collectives);
      });
    for (std::thread& t : threads) t.join();
    CHECK(collectives.sums() > 0);
    Checker checker{fmt::format("{} R={}", backend, ranks), tolerance};
    for (int64_t step = 0; step < kSteps; ++step) {
      std::vector<const Snapshot*> at_step;
      for (const auto& r : sliced) at_step.push_back(&r.at(static_cast<size_t>(step)));
      checker.compare(step, at_step, whole.at(static_cast<size_t>(step)));
    }
    MESSAGE(whole_plan.meta.model, " on ", backend, ", R=", ranks, ": largest relative difference ", checker.worst);
  }
}

}  // namespace

TEST_CASE("data parallel: ranks on slices of a vector batch compute what one process computes (reference)") {
  check_spec(kVideoSpec, "reference", 1e-10);
}

TEST_CASE("data parallel: ranks on slices of a frame batch compute what one process computes (reference)") {
  check_spec(kFramesSpec, "reference", 1e-10);
}

TEST_CASE("data parallel: ranks on slices of a vector batch compute what one process computes (cpu)") {
  check_spec(kVideoSpec, "cpu", 2e-5);
}

TEST_CASE("data parallel: ranks on slices of a frame batch compute what one process computes (cpu)") {
  check_spec(kFramesSpec, "cpu", 2e-5);
}
