#pragma once
// The output of the front end: a fully checked model. Everything the lowering needs is here, with
// every default filled in and every shape and parameter concrete; nested calls, pipelines and
// `repeat` blocks are already desugared into plain nodes in topological order.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/syntax/diagnostics.h"
#include "ops/layer.h"

namespace ynet::sema {

using Dim = ops::Dim;
using Shape = ops::Shape;
using AttrValue = ops::AttrValue;

using ops::LayerNode;
using ops::ParamInfo;
using ops::SubNetwork;

struct FeatureSpec {
  std::string name;  // record key: rgb, audio, mean_rgb, mean_audio, audio_embedding...
  int64_t size = 0;
};

struct InputSpec {
  std::string tensor;                 // the name the model uses: "video"
  enum class Level { Frame, Video } level = Level::Frame;
  std::vector<FeatureSpec> features;  // concatenated in this order
  int64_t max_frames = 300;           // frame level only
  int64_t skip_frames = 0;            // frame level only
  std::string normalize = "none";     // "l2" (starter code) or "none" (the paper: BatchNorm)
  std::string id_key = "id";          // "video_id" in the 2017 release
  int64_t feature_size() const;
};

struct LabelSpec {
  std::string tensor;  // "target"
  int64_t classes = 0;
  std::string key = "labels";
};

struct NamedConfig {
  std::string name;                        // "RMSProp", "StepDecay", "Constant"
  std::map<std::string, AttrValue> args;   // defaults filled in; `every` is in samples
};

struct TrainConfig {
  bool declared = false;  // the spec has a train block
  int64_t batch = 256;
  NamedConfig optimizer{"RMSProp", {}};
  NamedConfig schedule{"Constant", {}};
  int64_t steps = 10000;
  double clip_norm = 1.0;             // 0 disables clipping
  std::string clip = "per_tensor";    // "per_tensor" (starter code) or "global"
  int64_t eval_every = 1000;          // steps
  int64_t seed = 0;
};

struct CheckedModel {
  std::string name;
  std::string source_path;
  InputSpec input;
  LabelSpec labels;
  std::vector<LayerNode> nodes;  // topological; the input and labels nodes come first
  std::vector<int> losses;       // scalar nodes summed into the training loss
  std::vector<int> outputs;      // prediction nodes
  TrainConfig train;
  std::map<std::string, AttrValue> params;  // every `param` after --set overrides

  int64_t trainable_params() const;
  int64_t non_trainable_params() const;
};

struct CheckResult {
  std::optional<CheckedModel> model;     // set when there are no errors
  std::vector<syntax::Diagnostic> diagnostics;  // errors and warnings, in source order per file
  std::string usage_error;               // a bad --set (exit status 2); empty otherwise
  std::shared_ptr<syntax::SourceManager> sources;  // to render the diagnostics
  bool has_errors() const;
};

// Parses and checks a spec file with `--set` overrides. Never throws on bad input. `batch`, when
// positive, is the batch the model will run at (a command's --batch): the size limits are checked
// at it instead of the spec's train.batch.
CheckResult check_file(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& overrides, int64_t batch = 0);
// The same for spec text held in memory (tests, fuzzing); includes resolve relative to `path`.
CheckResult check_source(const std::string& path, const std::string& text,
                         const std::vector<std::pair<std::string, std::string>>& overrides, int64_t batch = 0);

}  // namespace ynet::sema
