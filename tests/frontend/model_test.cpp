// The checked model: the paper's parameter counts computed by hand, desugaring of pipelines,
// `repeat` and sub-networks, defaults, overrides and includes.
#include <doctest/doctest.h>

#include "tests/frontend/check_helpers.h"

using namespace ynet;
using ynet::test::model_with;

namespace {

sema::CheckedModel checked(const std::string& path, const test::Overrides& overrides = {}) {
  sema::CheckResult r = sema::check_file(path, overrides);
  INFO(test::rendered(r));
  REQUIRE(r.model.has_value());
  return std::move(*r.model);
}

sema::CheckedModel checked_text(const std::string& text, const test::Overrides& overrides = {}) {
  sema::CheckResult r = sema::check_source("t.ynet", text, overrides);
  INFO(test::rendered(r));
  REQUIRE(r.model.has_value());
  return std::move(*r.model);
}

const sema::LayerNode& node(const sema::CheckedModel& m, const std::string& name) {
  for (const sema::LayerNode& n : m.nodes) {
    if (n.name == name) return n;
  }
  FAIL("no node " << name);
  return m.nodes.front();
}

constexpr int64_t kFeatures = 1024 + 128;  // rgb + audio
constexpr int64_t kClasses = 4716;

int64_t lstm_layer(int64_t in, int64_t hidden) { return 4 * (in + hidden + 1) * hidden; }

}  // namespace

TEST_CASE("BoF_4096 parameter count") {
  sema::CheckedModel m = checked("specs/bof_4096.ynet");
  const int64_t input_bn = 2 * kFeatures;              // gamma + beta
  const int64_t fc1 = kFeatures * 4096;                // no bias: the BatchNorm shifts
  const int64_t fc1_bn = 2 * 4096;
  const int64_t fc2 = 4096 * 4096;
  const int64_t fc2_bn = 2 * 4096;
  const int64_t classifier = 4096 * kClasses + kClasses;
  CHECK(m.trainable_params() == input_bn + fc1 + fc1_bn + fc2 + fc2_bn + classifier);
  CHECK(m.trainable_params() == 40835948);
  CHECK(m.non_trainable_params() == 2 * kFeatures + 2 * 4096 + 2 * 4096);  // moving mean + variance
  CHECK(m.train.batch == 512);
  CHECK(m.train.optimizer.name == "RMSProp");
  CHECK(std::get<double>(m.train.optimizer.args.at("lr")) == doctest::Approx(1e-4));
  CHECK(std::get<int64_t>(m.train.schedule.args.at("every")) == 20000000);
}

TEST_CASE("Simple_LSTM_2048 parameter count") {
  sema::CheckedModel m = checked("specs/simple_lstm_2048.ynet");
  const int64_t expected = 2 * kFeatures + lstm_layer(kFeatures, 2048) + lstm_layer(2048, 2048) +
                           2048 * kClasses + kClasses;
  CHECK(expected == 2304 + 26222592 + 33562624 + 9663084);
  CHECK(m.trainable_params() == expected);
  CHECK(m.trainable_params() == 69450604);
  CHECK(m.non_trainable_params() == 2 * kFeatures);
  const sema::LayerNode& h = node(m, "h");
  CHECK(h.op == "LSTM");
  CHECK(std::get<int64_t>(h.attrs.at("layers")) == 2);
  CHECK(std::get<double>(h.attrs.at("forget_bias")) == 1.0);  // a default, filled in
  REQUIRE(h.params.size() == 6);
  CHECK(h.params[1].name == "layer0/recurrent_weights");
  CHECK(h.params[1].shape.size() == 2);  // the layout ([H, 4H] or [4H, H]) belongs to the kernels
  CHECK(h.params[1].shape[0] * h.params[1].shape[1] == 2048 * 4 * 2048);
  CHECK(h.params[1].init == "orthogonal");
  CHECK(ops::shape_to_string(h.shape) == "[B, T=90, 2048]");
}

TEST_CASE("LSTM_MoE_512 parameter count") {
  sema::CheckedModel m = checked("specs/lstm_moe_512.ynet");
  const int64_t gating = 512 * 64 + 512 * 64;                             // W_g and W_noise
  const int64_t one_expert = (512 * 1024 + 1024) + (1024 * 1024 + 1024);  // two FC layers
  const int64_t expected = 2 * kFeatures + lstm_layer(kFeatures, 512) + gating + 64 * one_expert +
                           lstm_layer(1024, 512) + 512 * kClasses + kClasses;
  CHECK(expected == 2304 + 3409920 + 65536 + 100794368 + 3147776 + 2419308);
  CHECK(m.trainable_params() == expected);
  CHECK(m.trainable_params() == 109839212);

  const sema::LayerNode& moe = node(m, "m");
  CHECK(std::get<int64_t>(moe.attrs.at("top_k")) == 4);
  REQUIRE(moe.subnetworks.size() == 1);
  const sema::SubNetwork& experts = moe.subnetworks[0];
  CHECK(experts.replicas == 64);
  REQUIRE(experts.nodes.size() == 3);  // input, Dense(1024, relu), Dense(1024)
  CHECK(experts.nodes[0].op == "SubnetInput");
  CHECK(std::get<std::string>(experts.nodes[1].attrs.at("activation")) == "relu");
  CHECK(experts.nodes[1].params[0].shape == std::vector<int64_t>{64, 512, 1024});
  CHECK(experts.nodes[2].inputs == std::vector<int>{1});
  CHECK(ops::shape_to_string(moe.shape) == "[B, T=90, 1024]");
}

TEST_CASE("--set overrides a param") {
  sema::CheckedModel m = checked("specs/simple_lstm_2048.ynet", {{"hidden", "1024"}, {"layers", "3"}});
  const int64_t expected = 2 * kFeatures + lstm_layer(kFeatures, 1024) + 2 * lstm_layer(1024, 1024) +
                           1024 * kClasses + kClasses;
  CHECK(m.trainable_params() == expected);
  CHECK(std::get<int64_t>(m.params.at("hidden")) == 1024);
}

TEST_CASE("--set errors are usage errors") {
  sema::CheckResult unknown = sema::check_file("specs/simple_lstm_2048.ynet", {{"hiden", "5"}});
  CHECK(unknown.usage_error == "--set hiden=5: the spec has no param `hiden`; did you mean `hidden`?");
  sema::CheckResult wrong_type = sema::check_file("specs/simple_lstm_2048.ynet", {{"hidden", "big"}});
  CHECK(wrong_type.usage_error == "--set hidden=big: `hidden` is a number, as declared on line 6");
}

TEST_CASE("pipelines and repeat desugar into named nodes") {
  sema::CheckedModel m = checked_text(model_with(
      "  v = video -> BatchNorm -> FramePooling(mean) -> repeat 2 { Dense(16, relu) -> Dropout(0.1) }\n"
      "  logits = v -> Dense(target.classes)\n"
      "  loss logits -> SigmoidCrossEntropy(target)\n"
      "  output Sigmoid(logits)\n"));
  std::vector<std::string> names;
  for (const sema::LayerNode& n : m.nodes) names.push_back(n.name + ":" + n.op);
  CHECK(names == std::vector<std::string>{
                     "video:Input", "target:Labels", "v/BatchNorm:BatchNorm", "v/FramePooling:FramePooling",
                     "v/repeat1/Dense:Dense", "v/repeat1/Dropout:Dropout", "v/repeat2/Dense:Dense",
                     "v:Dropout", "logits:Dense", "loss/SigmoidCrossEntropy:SigmoidCrossEntropy",
                     "output/Sigmoid:Sigmoid"});
  for (const sema::LayerNode& n : m.nodes) {
    for (int in : n.inputs) CHECK(in < n.id);  // topological
  }
  CHECK(m.losses == std::vector<int>{9});
  CHECK(m.outputs == std::vector<int>{10});
  CHECK(ops::shape_to_string(node(m, "v/repeat2/Dense").shape) == "[B, 16]");
}

TEST_CASE("video-level input with the starter code's MoE classifier") {
  sema::CheckedModel m = checked_text(
      "model Starter {\n"
      "  input v = video(mean_rgb: 1024, mean_audio: 128, normalize: l2, id_key: id)\n"
      "  labels y = multilabel(classes: 3862)\n"
      "  p = MoeClassifier(v, classes: y.classes, mixtures: 2)\n"
      "  loss SigmoidCrossEntropy(p, y, on: probabilities)\n"
      "  output p\n"
      "}\n");
  CHECK(m.input.level == sema::InputSpec::Level::Video);
  CHECK(m.input.normalize == "l2");
  CHECK(m.labels.classes == 3862);
  // Gates without bias for C*(m+1) outputs; experts with bias for C*m outputs.
  CHECK(m.trainable_params() == 1152 * 3862 * 3 + 1152 * 3862 * 2 + 3862 * 2);
}

TEST_CASE("include splices shared declarations") {
  sema::CheckedModel m = checked("specs/bof_4096.ynet");
  CHECK(m.input.tensor == "video");
  CHECK(m.input.max_frames == 90);
  CHECK(m.input.skip_frames == 20);
  CHECK(m.input.id_key == "video_id");
  REQUIRE(m.input.features.size() == 2);
  CHECK(m.input.features[1].name == "audio");
  CHECK(m.input.features[1].size == 128);
}

TEST_CASE("number suffixes and sample units") {
  sema::CheckedModel m = checked_text(
      model_with("  l = Dense(FramePooling(video), units: 5)\n  loss SigmoidCrossEntropy(l, target)\n  output Sigmoid(l)\n") +
      "train {\n  batch = 2k\n  steps = 100k steps\n  schedule = ExponentialDecay(every: 10 steps, factor: 0.5)\n"
      "  optimizer = Adam(lr: 2e-4)\n  clip = global\n}\n");
  CHECK(m.train.batch == 2000);
  CHECK(m.train.steps == 100000);
  CHECK(std::get<int64_t>(m.train.schedule.args.at("every")) == 20000);
  CHECK(std::get<double>(m.train.optimizer.args.at("beta2")) == doctest::Approx(0.999));
  CHECK(m.train.clip == "global");
}
