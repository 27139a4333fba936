#pragma once
// Every spec of the tree (specs/, examples/) plus one that reaches what they leave out, checked and
// shrunk to test size: the op-list and per-op harness tests run over them.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "compiler/lower/compile.h"

namespace ynet::test {

// What the specs in the tree leave out: the other optimizer, global clipping, and a trainable layer
// before L2Normalize (so that its gradient step is emitted).
inline const char* const kRestOfTheLanguage = R"(
model Rest {
  input  video  = video(mean_rgb: 8, mean_audio: 4)
  labels target = multilabel(5)
  h      = L2Normalize(Dense(video, 6, relu))
  logits = Logistic(h, classes: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train {
  batch     = 4
  optimizer = SGD(lr: 0.1, momentum: 0.9, nesterov: true)
  clip      = global
}
)";

// Test sizes for the params the specs declare (a spec gets those it has).
inline const std::vector<std::pair<std::string, std::string>> kSmallParams = {
    {"classes", "7"}, {"hidden", "16"}, {"experts", "4"}, {"expert_units", "8"}, {"top_k", "2"}, {"mixtures", "2"},
    {"layers", "2"}, {"cluster_size", "16"}, {"hidden_size", "16"}, {"fc", "16"}, {"lstm_cells", "16"},
    {"clusters", "4"}, {"audio_clusters", "2"}, {"groups", "2"}, {"audio_groups", "1"}, {"gate_size", "4"}};

// And at the frame level: the learnable poolings no spec uses (NetRVLAD, SoftDBoW), the
// `batch_norm: false` forms (a bias instead of the BatchNorm), joined, gated, and a Slice that
// needs a gradient.
inline const char* const kRestOfTheFrames = R"(
model RestFrames {
  input  video  = frames(rgb: 6, audio: 3, max_frames: 5)
  labels target = multilabel(5)
  r      = NetRVLAD(video.rgb, clusters: 3, batch_norm: false)
  s      = SoftDBoW(video, clusters: 4)
  v      = NetVLAD(video.audio, clusters: 2, batch_norm: false)
  g      = ContextGating(Concat(Concat(r, s), v), batch_norm: false)
  logits = Dense(Slice(g, from: 2, size: 5), units: target.classes)
  loss   SigmoidCrossEntropy(logits, target)
  output Sigmoid(logits)
}
train {
  batch = 4
}
)";

inline std::vector<sema::CheckedModel> all_models(bool shrink) {
  std::vector<sema::CheckResult> checked;
  for (const char* dir : {"specs", "examples"})
    // Relative to the source root, the tests' working directory (also where the GPU bundle runs them).
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".ynet") continue;
      sema::CheckResult result = sema::check_file(entry.path().string(), {});
      REQUIRE_MESSAGE(result.model, entry.path().string());
      if (shrink) {
        std::vector<std::pair<std::string, std::string>> sets;
        for (const auto& [name, value] : kSmallParams)
          if (result.model->params.contains(name)) sets.emplace_back(name, value);
        result = sema::check_file(entry.path().string(), sets);
        REQUIRE_MESSAGE(result.model, entry.path().string());
      }
      checked.push_back(std::move(result));
    }
  checked.push_back(sema::check_source("specs/rest.ynet", kRestOfTheLanguage, {}));
  checked.push_back(sema::check_source("specs/rest_frames.ynet", kRestOfTheFrames, {}));
  std::vector<sema::CheckedModel> out;
  for (sema::CheckResult& result : checked) {
    REQUIRE(result.model);
    out.push_back(std::move(*result.model));
  }
  return out;
}

inline bool frame_level(const sema::CheckedModel& model) {
  return model.input.level == sema::InputSpec::Level::Frame;
}

inline plan::Plan compile_small(const sema::CheckedModel& model, plan::Mode mode, int64_t batch, int64_t frames) {
  compiler::CompileOptions options;
  options.batch = batch;
  options.max_frames = frame_level(model) ? frames : 0;
  options.mode = mode;
  return compiler::compile(model, options).plan;
}

}  // namespace ynet::test
