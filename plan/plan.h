#pragma once
// The plan: an ordered list of steps over buffers in one arena, with everything a runtime needs to
// run it and nothing it must decide. Produced by compile(), serialised with plan.proto.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "plan/graph.h"
#include "plan/memory_layout.h"

namespace ynet::plan {

inline constexpr uint32_t kPlanFormatVersion = 1;

enum class Mode { Train, Infer };

// How the trained parameters are updated: recorded in the plan, run by the optimizer step.
struct OptimizerConfig {
  std::string name = "RMSProp";          // RMSProp | Adam | SGD
  std::map<std::string, double> args;    // lr, decay, momentum, epsilon, beta1, beta2 (defaults filled in)
  double clip_norm = 0;                  // 0: no clipping
  std::string clip = "per_tensor";       // per_tensor (TensorFlow clip_by_norm) | global (clip_by_global_norm)
};

struct Feature {
  std::string name;
  int64_t size = 0;
};

struct PlanMeta {
  std::string model;
  Mode mode = Mode::Train;
  int64_t batch = 0;
  int64_t max_frames = 1;       // 1 for video-level inputs
  int64_t skip_frames = 0;
  std::string level = "frame";  // frame | video
  std::vector<Feature> features;
  std::string normalize = "none";
  std::string id_key = "id";
  std::string labels_key = "labels";
  int64_t classes = 0;
  OptimizerConfig optimizer;
  std::string schedule = "none";
  std::map<std::string, double> schedule_args;
  int64_t steps = 0;
  int64_t eval_every = 0;
  int64_t seed = 0;
  std::string source;           // the spec file the plan was compiled from
};

struct Plan {
  PlanMeta meta;
  ir::Graph graph;
  MemoryLayout memory;

  int64_t flops(ir::Phase phase) const;
  int64_t parameter_count(bool trainable_only) const;
};

// A plan file that cannot be trusted: wrong magic, newer version, corrupt or inconsistent contents.
struct PlanFormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string to_bytes(const Plan& plan);
Plan from_bytes(const std::string& bytes);   // throws PlanFormatError
void save(const Plan& plan, const std::string& path);   // atomically: temp file, fsync, rename
Plan load(const std::string& path);          // throws PlanFormatError or std::runtime_error (I/O)

const char* to_string(Mode mode);

}  // namespace ynet::plan
