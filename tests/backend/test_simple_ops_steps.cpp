// The simple ops' step adapters on small hand-written models: the reference backend against finite
// differences and the CPU backend against the reference (`ynet verify`'s checks), fully padded
// videos, and the inference plan (BatchNorm folded into Dense, activations fused) against the same
// model run unfolded.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/lower/compile.h"
#include "compiler/passes/memory_plan.h"
#include "compiler/passes/simplify.h"
#include "compiler/sema/checked_model.h"
#include "runtime/backend/backend.h"
#include "runtime/train/initialize.h"
#include "runtime/verify/verify.h"

using namespace ynet;

namespace {

constexpr int64_t kBatch = 4;
constexpr int64_t kFrames = 5;
// The batch write_batch feeds: a full video, a fully padded one, a single frame and a partial one.
constexpr std::array<int32_t, kBatch> kLengths{kFrames, 0, 1, 3};

sema::CheckedModel checked(const std::string& text) {
  sema::CheckResult r = sema::check_source("test.ynet", text, {});
  std::string diagnostics;
  for (const syntax::Diagnostic& d : r.diagnostics) diagnostics += syntax::render(d, *r.sources);
  INFO(diagnostics);
  REQUIRE(r.model.has_value());
  return std::move(*r.model);
}

plan::Plan compiled(const std::string& text, plan::Mode mode = plan::Mode::Train) {
  compiler::CompileOptions options;
  options.batch = kBatch;
  options.mode = mode;
  return compiler::compile(checked(text), options).plan;
}

bool has_step(const plan::Plan& p, const std::string& op) {
  return std::any_of(p.graph.nodes.begin(), p.graph.nodes.end(), [&](const ir::Node& n) { return n.op == op; });
}

void require_verified(const std::string& text, const std::vector<std::string>& ops) {
  const plan::Plan p = compiled(text);
  for (const std::string& op : ops) {
    INFO("step " << op);
    REQUIRE(has_step(p, op));
  }
  const verify::Report report = verify::run(p, verify::Options{});
  INFO(report.table());
  CHECK(report.checks.size() > 3);
  CHECK(report.passed());
}

std::string frame_model(const std::string& input_options, const std::string& body) {
  return fmt::format(
      "model M {{\n  input video = frames(rgb: 6, audio: 2, max_frames: {}{})\n  labels target = multilabel(5)\n{}}}\n",
      kFrames, input_options, body);
}

std::string video_model(const std::string& input_options, const std::string& body) {
  return fmt::format("model M {{\n  input v = video(mean_rgb: 6, mean_audio: 2{})\n  labels y = multilabel(5)\n{}}}\n",
                     input_options, body);
}

// The paper's BoF model in miniature. A Dense bias right before a BatchNorm has an exactly zero
// gradient (normalisation removes any shift), which no relative check can judge, so the models that
// are differentiated leave it out; the inference plan folds it.
std::string bag_of_frames(const std::string& mode, bool fc2_bias = false) {
  return frame_model("", fmt::format("  pooled = video -> BatchNorm -> Dropout(0.3) -> FramePooling({})\n"
                                     "  fc1 = pooled -> Dense(8, bias: false) -> BatchNorm -> Relu -> Dropout(0.3)\n"
                                     "  fc2 = fc1 -> Dense(7, bias: {}) -> BatchNorm(scale: false) -> Tanh\n"
                                     "  logits = Dense(fc2, units: target.classes)\n"
                                     "  loss SigmoidCrossEntropy(logits, target)\n"
                                     "  output Sigmoid(logits)\n",
                                     mode, fc2_bias));
}

// Deterministic values for every parameter and state tensor, keyed by name so that two plans of one
// model get the same ones; variances and class weights stay positive.
std::vector<float> values_for(const std::string& name, int64_t count) {
  std::vector<float> v(static_cast<size_t>(count));
  const bool variance =
      name.find("moving_variance") != std::string::npos || name.find("class_weights") != std::string::npos;
  for (size_t i = 0; i < v.size(); ++i) {
    const double u = train::uniform01(7, train::name_hash(name), i);
    v[i] = static_cast<float>(variance ? 0.5 + 1.5 * u : 2 * u - 1);
  }
  return v;
}

void write_batch(const plan::Plan& p, runtime::Backend& b) {
  const int features = p.graph.find_value("input.features");
  const int lengths_id = p.graph.find_value("input.lengths");
  const int labels = p.graph.find_value("input.labels");
  const std::vector<int32_t> lengths(kLengths.begin(), kLengths.end());
  std::vector<float> x = values_for("features", p.graph.value(features).elements());
  if (lengths_id >= 0) {
    const int64_t per_frame = p.graph.value(features).shape.back();
    for (int64_t v = 0; v < kBatch; ++v)
      for (int64_t t = lengths[static_cast<size_t>(v)]; t < kFrames; ++t)
        std::fill_n(x.begin() + (v * kFrames + t) * per_frame, per_frame, 0.0f);
    b.write(lengths_id, lengths);
  }
  b.write(features, x);
  if (labels >= 0) {
    std::vector<float> z(static_cast<size_t>(p.graph.value(labels).elements()), 0.0f);
    for (size_t i = 0; i < z.size(); i += 3) z[i] = 1.0f;
    b.write(labels, z);
  }
}

// Bound, with parameters and state written and the prologue run; with_batch: and write_batch's batch.
std::unique_ptr<runtime::Backend> bound(const std::string& backend, const plan::Plan& p, bool with_batch = true) {
  auto b = runtime::make_backend(backend, {});
  b->bind(p);
  for (const ir::ParamEntry& e : p.graph.params)
    b->write(e.value, values_for(e.name, p.graph.value(e.value).elements()));
  for (const ir::StateEntry& s : p.graph.state)
    if (s.init != "derived") b->write(s.value, values_for(s.name, p.graph.value(s.value).elements()));
  if (with_batch) write_batch(p, *b);
  b->run(ir::Phase::Prologue, {0, 0, 3});
  return b;
}

std::vector<float> read(const runtime::Backend& b, int value) {
  std::vector<float> out(static_cast<size_t>(b.plan().graph.value(value).elements()));
  b.read(value, out);
  return out;
}

// Largest difference relative to the expected tensor's largest magnitude.
double relative_error(const std::vector<float>& got, const std::vector<float>& expected) {
  REQUIRE(got.size() == expected.size());
  double diff = 0, scale = 1e-12;
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE(std::isfinite(got[i]));
    diff = std::max(diff, static_cast<double>(std::fabs(got[i] - expected[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(expected[i])));
  }
  return diff / scale;
}

// The inference form of a model without fold-batchnorm and fuse-dense-activation: BatchNorm runs
// on its moving statistics as a step of its own.
plan::Plan unfolded_inference(const std::string& text) {
  plan::Plan p = compiler::lower_forward(checked(text), kBatch);
  p.meta.mode = plan::Mode::Infer;
  passes::prune_for_inference(p.graph);
  passes::eliminate_dead_steps(p.graph);
  passes::compact_values(p.graph);
  p.memory = passes::plan_memory(p.graph, p.graph.live_out);
  return p;
}

}  // namespace

TEST_CASE("a bag-of-frames model verifies for every pooling mode") {
  for (const std::string mode : {"max", "mean", "sum"}) {
    CAPTURE(mode);
    require_verified(bag_of_frames(mode),
                     {"BatchNorm", "BatchNorm.grad", "Dropout", "Dropout.grad", "FramePooling", "FramePooling.grad",
                      "Activation.grad", "SigmoidCrossEntropy", "SigmoidCrossEntropy.grad"});
  }
}

TEST_CASE("per-frame layers, L2-normalized frames and the time-weighted sum verify") {
  for (const std::string weights : {"linear", "uniform"}) {
    CAPTURE(weights);
    require_verified(
        frame_model(", normalize: l2",
                    fmt::format("  h = video -> BatchNorm -> Dense(6, per_frame: true) -> Tanh -> L2Normalize\n"
                                "  logits = Dense(TimeWeightedSum(h, weights: {}), units: target.classes)\n"
                                "  loss SigmoidCrossEntropy(logits, target)\n"
                                "  output Sigmoid(logits)\n",
                                weights)),
        {"L2Normalize", "L2Normalize.grad", "TimeWeightedSum", "TimeWeightedSum.grad"});
  }
}

TEST_CASE("Dense, Dropout and BatchNorm chains verify, with and without scale and center") {
  require_verified(
      video_model("",
                  "  h = v -> Dense(8) -> Dropout(0.2) -> BatchNorm(momentum: 0.9, epsilon: 0.01) -> Sigmoid\n"
                  "  h2 = h -> Dense(8, bias: false) -> BatchNorm(scale: false, center: false) -> Relu\n"
                  "  logits = Dense(h2, units: y.classes)\n"
                  "  loss SigmoidCrossEntropy(logits, y)\n"
                  "  output Sigmoid(logits)\n"),
      {"BatchNorm.grad", "Dropout.grad", "Activation.grad"});
}

TEST_CASE("a video-level logistic model with L2 penalty, L2-normalized input and the balanced loss verifies") {
  require_verified(video_model(", normalize: l2",
                               "  logits = Logistic(v, classes: y.classes, l2_penalty: 0.01)\n"
                               "  loss SigmoidCrossEntropy(logits, y, balance: inverse_frequency)\n"
                               "  output Sigmoid(logits)\n"),
                   {"L2Normalize", "L2Penalty", "L2Penalty.grad", "SigmoidCrossEntropy.grad"});
}

TEST_CASE("wide layers verify: the input BatchNorm's feature blocks and the penalty's chunks") {
  require_verified(
      "model M {\n"
      "  input video = frames(rgb: 64, audio: 16, max_frames: 3)\n"
      "  labels target = multilabel(300)\n"
      "  logits = video -> BatchNorm -> FramePooling(mean) -> Logistic(classes: target.classes, l2_penalty: 0.01)\n"
      "  loss SigmoidCrossEntropy(logits, target)\n"
      "  output Sigmoid(logits)\n"
      "}\n",
      {"BatchNorm.grad", "L2Penalty.grad"});
}

TEST_CASE("the cross-entropy on probabilities verifies, plain and balanced") {
  for (const std::string balance : {"none", "inverse_frequency"}) {
    CAPTURE(balance);
    require_verified(video_model("", fmt::format("  p = v -> Dense(8) -> Relu -> Dense(units: y.classes) -> Sigmoid\n"
                                                 "  loss SigmoidCrossEntropy(p, y, on: probabilities, balance: {})\n"
                                                 "  output p\n",
                                                 balance)),
                     {"SigmoidCrossEntropy.grad"});
  }
}

// docs/language.md: a BatchNorm over frames normalises with the statistics of the valid frames;
// padded frames (zeros here, as the reader leaves them) neither count nor get a value in training.
TEST_CASE("a BatchNorm over frames takes the statistics of the valid frames only, on every backend") {
  const plan::Plan p = compiled(frame_model("", "  pooled = video -> BatchNorm -> FramePooling(mean)\n"
                                                "  logits = Dense(pooled, units: target.classes)\n"
                                                "  loss SigmoidCrossEntropy(logits, target)\n"
                                                "  output Sigmoid(logits)\n"));
  const ir::Graph& g = p.graph;
  const int features = g.find_value("input.features");
  const int64_t width = g.value(features).shape.back();
  // The mean and biased variance of each feature over the 9 valid frames of write_batch's batch.
  const std::vector<float> x = values_for("features", g.value(features).elements());
  std::vector<double> mean(static_cast<size_t>(width)), variance(static_cast<size_t>(width));
  std::vector<int64_t> valid_rows;
  for (int64_t v = 0; v < kBatch; ++v)
    for (int64_t t = 0; t < kLengths[static_cast<size_t>(v)]; ++t) valid_rows.push_back(v * kFrames + t);
  REQUIRE(valid_rows.size() == 9);
  const auto at = [&](int64_t row, int64_t f) { return static_cast<double>(x[static_cast<size_t>(row * width + f)]); };
  for (int64_t f = 0; f < width; ++f) {
    double& m = mean[static_cast<size_t>(f)];
    for (int64_t row : valid_rows) m += at(row, f) / 9.0;
    for (int64_t row : valid_rows) variance[static_cast<size_t>(f)] += (at(row, f) - m) * (at(row, f) - m) / 9.0;
  }
  for (const std::string backend : {"reference", "cpu"}) {
    CAPTURE(backend);
    auto b = bound(backend, p);
    b->forward({0, 0.0, 3});
    const std::vector<float> saved_mean = read(*b, g.find_value("pooled/BatchNorm.saved_mean"));
    const std::vector<float> saved_variance = read(*b, g.find_value("pooled/BatchNorm.saved_variance"));
    for (int64_t f = 0; f < width; ++f) {
      CHECK(saved_mean[static_cast<size_t>(f)] == doctest::Approx(mean[static_cast<size_t>(f)]).epsilon(1e-5));
      CHECK(saved_variance[static_cast<size_t>(f)] == doctest::Approx(variance[static_cast<size_t>(f)]).epsilon(1e-5));
    }
    const std::vector<float> y = read(*b, g.find_value("pooled/BatchNorm"));
    for (int64_t v = 0; v < kBatch; ++v)
      for (int64_t t = kLengths[static_cast<size_t>(v)]; t < kFrames; ++t)
        for (int64_t f = 0; f < width; ++f) CHECK(y[static_cast<size_t>((v * kFrames + t) * width + f)] == 0.0f);
  }
}

TEST_CASE("a BatchNorm over projected frames verifies: the masked gradient of its input") {
  require_verified(frame_model("", "  c = video -> Dense(6, per_frame: true, bias: false) -> BatchNorm -> Relu\n"
                                   "  logits = Dense(FramePooling(c, mode: max), units: target.classes)\n"
                                   "  loss SigmoidCrossEntropy(logits, target)\n"
                                   "  output Sigmoid(logits)\n"),
                   {"BatchNorm", "BatchNorm.grad", "Dense.grad"});
}

TEST_CASE("fully padded and single-frame videos: CPU gradients match the reference") {
  for (const std::string mode : {"max", "mean"}) {
    CAPTURE(mode);
    const plan::Plan p = compiled(bag_of_frames(mode));
    auto reference = bound("reference", p);
    auto cpu = bound("cpu", p);
    const runtime::StepContext ctx{5, 0.0, 11};
    for (runtime::Backend* b : {reference.get(), cpu.get()}) {
      b->forward(ctx);
      b->run(ir::Phase::Backward, ctx);
    }
    CHECK(relative_error(read(*cpu, p.graph.loss), read(*reference, p.graph.loss)) < 1e-5);
    for (const ir::ParamEntry& e : p.graph.params) {
      if (e.grad < 0) continue;
      CAPTURE(e.name);
      const std::vector<float> expected = read(*reference, e.grad);
      CHECK(std::any_of(expected.begin(), expected.end(), [](float g) { return g != 0.0f; }));
      CHECK(relative_error(read(*cpu, e.grad), expected) < 1e-4);
    }
  }
}

TEST_CASE("the inference plan with folded BatchNorm and fused activations matches the unfolded model") {
  for (const std::string mode : {"max", "mean", "sum"}) {
    CAPTURE(mode);
    const std::string text = bag_of_frames(mode, true);
    const plan::Plan folded = compiled(text, plan::Mode::Infer);
    const plan::Plan unfolded = unfolded_inference(text);
    // Two BatchNorms fold into the Dense before them, the input's into the pooling after it.
    REQUIRE(std::count_if(folded.graph.nodes.begin(), folded.graph.nodes.end(),
                          [](const ir::Node& n) { return n.op == "FoldBatchNorm"; }) == 3);
    REQUIRE_FALSE(has_step(folded, "BatchNorm"));
    REQUIRE(std::count_if(unfolded.graph.nodes.begin(), unfolded.graph.nodes.end(),
                          [](const ir::Node& n) { return n.op == "BatchNorm"; }) == 3);
    REQUIRE(folded.graph.live_out.size() == 1);
    REQUIRE(unfolded.graph.live_out.size() == 1);

    const runtime::StepContext ctx{0, 0.0, 3};
    std::vector<std::vector<float>> predictions;
    for (const auto& [backend, p] : {std::pair{"reference", &unfolded}, std::pair{"reference", &folded},
                                     std::pair{"cpu", &unfolded}, std::pair{"cpu", &folded}}) {
      auto b = bound(backend, *p);
      b->forward(ctx);
      predictions.push_back(read(*b, p->graph.live_out[0]));
    }
    const std::vector<float>& truth = predictions[0];
    // Predictions of the fully padded video are those of an all-zero pooled vector, not NaN or zero.
    CHECK(std::all_of(truth.begin(), truth.end(), [](float v) { return v > 0.0f && v < 1.0f; }));
    CHECK(relative_error(predictions[1], truth) < 1e-6);
    CHECK(relative_error(predictions[2], truth) < 1e-5);
    CHECK(relative_error(predictions[3], truth) < 1e-5);
  }
}

TEST_CASE("frames pooled as stored bytes: the CPU steps read lent bytes in place, the reference copies them") {
  plan::Plan p = compiled(bag_of_frames("max", true), plan::Mode::Infer);
  REQUIRE(compiler::pool_stored_frames(p, 4.0 / 255, 4.0 / 512 - 2).changes == 1);
  const int features = p.graph.find_value("input.features");
  const int lengths = p.graph.find_value("input.lengths");
  const int64_t per_frame = p.graph.value(features).shape.back();
  const std::vector<int32_t> valid(kLengths.begin(), kLengths.end());
  // Frames of bytes, zero past each video's length as the decoder leaves them.
  const auto frames = [&](int salt) {
    std::vector<uint8_t> bytes(static_cast<size_t>(p.graph.value(features).elements()), 0);
    for (int64_t v = 0; v < kBatch; ++v)
      for (int64_t t = 0; t < valid[static_cast<size_t>(v)]; ++t)
        for (int64_t f = 0; f < per_frame; ++f)
          bytes[static_cast<size_t>((v * kFrames + t) * per_frame + f)] = static_cast<uint8_t>((v * 71 + t * 37 + f * salt) % 256);
    return bytes;
  };
  const std::vector<uint8_t> first = frames(11), second = frames(29);
  const runtime::StepContext ctx{0, 0.0, 3};
  const auto predict = [&](runtime::Backend& b) {
    b.forward(ctx);
    return read(b, p.graph.live_out[0]);
  };
  auto reference = bound("reference", p, false);
  reference->write(lengths, valid);
  reference->write(features, second);
  const std::vector<float> truth_second = predict(*reference);
  reference->write(features, first);
  const std::vector<float> truth_first = predict(*reference);
  REQUIRE(relative_error(truth_first, truth_second) > 1e-3);

  auto cpu = bound("cpu", p, false);
  cpu->write(lengths, valid);
  std::vector<uint8_t> lent = first;
  cpu->lend(features, lent);
  CHECK(relative_error(predict(*cpu), truth_first) < 1e-5);
  // No copy was made: a change to the lent bytes shows in the next run.
  lent = second;
  CHECK(relative_error(predict(*cpu), truth_second) < 1e-5);
  // A write copies and ends the loan.
  cpu->write(features, first);
  std::fill(lent.begin(), lent.end(), uint8_t{0});
  CHECK(relative_error(predict(*cpu), truth_first) < 1e-5);
  // The reference step keeps the arena's address, so lending to it copies.
  lent = second;
  reference->lend(features, lent);
  lent = first;
  CHECK(relative_error(predict(*reference), truth_second) < 1e-12);
}

TEST_CASE("FoldBatchNorm computes W s and (b - mean) s + beta") {
  const plan::Plan folded = compiled(video_model("",
                                                 "  h = v -> Dense(3) -> BatchNorm(epsilon: 0.5)\n"
                                                 "  logits = Dense(h, units: y.classes)\n"
                                                 "  loss SigmoidCrossEntropy(logits, y)\n"
                                                 "  output Sigmoid(logits)\n"),
                                     plan::Mode::Infer);
  const auto fold = std::find_if(folded.graph.nodes.begin(), folded.graph.nodes.end(),
                                 [](const ir::Node& n) { return n.op == "FoldBatchNorm"; });
  REQUIRE(fold != folded.graph.nodes.end());
  for (const std::string backend : {"reference", "cpu"}) {
    CAPTURE(backend);
    auto b = bound(backend, folded);
    std::vector<std::vector<float>> in;
    for (int v : fold->inputs) in.push_back(read(*b, v));
    const std::vector<float> w_folded = read(*b, fold->outputs[0]);
    const std::vector<float> b_folded = read(*b, fold->outputs[1]);
    const size_t outputs = in[1].size();
    REQUIRE(outputs == 3);
    for (size_t j = 0; j < outputs; ++j) {
      const double s = in[2][j] / std::sqrt(in[5][j] + 0.5);
      CHECK(b_folded[j] == doctest::Approx((in[1][j] - in[4][j]) * s + in[3][j]).epsilon(1e-6));
      for (size_t i = 0; i < in[0].size() / outputs; ++i)
        CHECK(w_folded[i * outputs + j] == doctest::Approx(in[0][i * outputs + j] * s).epsilon(1e-6));
    }
  }
}

TEST_CASE("by hand: dropout masks, time-weighted and mean pooling over valid frames, unit-norm frames") {
  // A hand-built plan whose intermediate values stay live, so that each can be read after the run.
  plan::Plan p;
  ir::Graph& g = p.graph;
  const int64_t features = 3;
  const std::vector<int64_t> sequence{kBatch, kFrames, features};
  const int x = g.add_value("input.features", sequence, ir::BufferKind::Input);
  const int lengths = g.add_value("input.lengths", {kBatch}, ir::BufferKind::Input, ir::DType::I32);
  const int dropped = g.add_value("dropped", sequence, ir::BufferKind::Activation);
  const int weighted = g.add_value("weighted", {kBatch, features}, ir::BufferKind::Activation);
  const int mean = g.add_value("mean", {kBatch, features}, ir::BufferKind::Activation);
  const int unit = g.add_value("unit", sequence, ir::BufferKind::Activation);
  g.add_node({"Dropout", ir::Phase::Forward, {{"rate", 0.5}, {"stream", int64_t{7}}}, {x}, {dropped}, 0, "d"});
  g.add_node({"TimeWeightedSum",
              ir::Phase::Forward,
              {{"weights", std::string("linear")}, {"max_frames", kFrames}},
              {dropped, lengths},
              {weighted},
              0,
              "w"});
  g.add_node({"FramePooling", ir::Phase::Forward, {{"mode", std::string("mean")}}, {x, lengths}, {mean}, 0, "m"});
  g.add_node({"L2Normalize", ir::Phase::Forward, {{"epsilon", 1e-12}}, {x}, {unit}, 0, "u"});
  g.live_out = {dropped, weighted, mean, unit};
  p.memory = passes::plan_memory(g, g.live_out);
  auto at = [&](int64_t video, int64_t t, int64_t f) {
    return static_cast<size_t>((video * kFrames + t) * features + f);
  };

  std::vector<std::vector<float>> masks;
  for (const std::string backend : {"reference", "cpu"}) {
    CAPTURE(backend);
    auto b = bound(backend, p);
    const std::vector<float> in = read(*b, x);
    b->forward({1, 0.0, 3});
    const std::vector<float> d = read(*b, dropped), w = read(*b, weighted), m = read(*b, mean), u = read(*b, unit);
    size_t kept = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      CHECK((d[i] == 0.0f || d[i] == doctest::Approx(2 * in[i])));
      if (in[i] != 0.0f && d[i] != 0.0f) ++kept;
    }
    CHECK(kept > 0);
    CHECK(kept < d.size());
    for (int64_t video = 0; video < kBatch; ++video) {
      const int64_t frames = kLengths[static_cast<size_t>(video)];
      for (int64_t f = 0; f < features; ++f) {
        double expected_weighted = 0, expected_mean = 0;
        for (int64_t t = 0; t < frames; ++t) {
          expected_weighted += static_cast<double>(t + 1) / kFrames * d[at(video, t, f)];
          expected_mean += in[at(video, t, f)] / static_cast<double>(frames);
        }
        CHECK(w[static_cast<size_t>(video * features + f)] == doctest::Approx(expected_weighted).epsilon(1e-6));
        CHECK(m[static_cast<size_t>(video * features + f)] == doctest::Approx(expected_mean).epsilon(1e-6));
      }
      for (int64_t t = 0; t < kFrames; ++t) {
        double norm = 0;
        for (int64_t f = 0; f < features; ++f) norm += static_cast<double>(u[at(video, t, f)]) * u[at(video, t, f)];
        CHECK(norm == doctest::Approx(t < frames ? 1.0 : 0.0).epsilon(1e-6));
      }
    }
    b->forward({2, 0.0, 3});
    CHECK(read(*b, dropped) != d);
    masks.push_back(d);
  }
  CHECK(relative_error(masks[1], masks[0]) < 1e-6);
}

TEST_CASE("SGD applies Nesterov momentum when the spec asks for it") {
  for (const bool nesterov : {false, true}) {
    INFO("nesterov " << nesterov);
    const std::string text =
        frame_model("", "  logits = Dense(video -> FramePooling(mean), units: target.classes)\n"
                        "  loss SigmoidCrossEntropy(logits, target)\n") +
        fmt::format("train {{\n  optimizer = SGD(lr: 0.1, momentum: 0.9, nesterov: {})\n}}\n", nesterov);
    const plan::Plan p = compiled(text);
    auto b = bound("cpu", p);
    const ir::ParamEntry& weights = p.graph.params.front();
    REQUIRE(weights.state.size() == 1);
    b->write(weights.state[0], std::vector<float>(static_cast<size_t>(p.graph.value(weights.state[0]).elements()), 0.f));
    const std::vector<float> before = read(*b, weights.value);
    b->train_step({0, 0.1, 3});
    const std::vector<float> grad = read(*b, weights.grad);  // after clipping, as the update used it
    const std::vector<float> after = read(*b, weights.value);
    // The accumulation starts at 0, so after one step it is g: classic w - lr g, Nesterov w - lr (1 + m) g.
    const double factor = nesterov ? 0.1 * 1.9 : 0.1;
    double worst = 0;
    for (size_t i = 0; i < before.size(); ++i)
      worst = std::max(worst, std::abs(after[i] - (before[i] - factor * grad[i])));
    CHECK(worst < 1e-6);
  }
}
