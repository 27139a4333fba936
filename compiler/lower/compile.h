#pragma once
// The compiler driver: checked model -> forward graph -> passes -> plan.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "compiler/sema/checked_model.h"

namespace ynet::compiler {

// How an inference plan computes its Dense products: in float, or in int8 (passes/quantize.h).
enum class Precision { fp32, int8 };

struct CompileOptions {
  int64_t batch = 0;  // 0: the spec's train.batch
  plan::Mode mode = plan::Mode::Train;
  int64_t max_frames = 0;  // 0: the spec's; smaller values make `ynet verify` fast
  Precision precision = Precision::fp32;  // int8 needs mode Infer
};

// The model at the requested batch and frames is too large for 64-bit size arithmetic
// (sema::find_size_problem); thrown before anything is lowered.
struct SizeLimitExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The passes compile() ran and what each changed, for `ynet compile --emit text` and for tests.
struct PassReport {
  std::string pass;
  int changes = 0;
};

// Turns an inference plan, freshly compiled or loaded from a run directory, into its int8 form and
// plans its memory again. Throws std::invalid_argument for a training plan.
PassReport quantize_int8(plan::Plan& plan);

// Makes an inference plan read its frames as the stored bytes when it can
// (passes::pool_stored_frames; the caller gives the data's dequantisation) and plans its memory
// again. Throws std::invalid_argument for a training plan.
PassReport pool_stored_frames(plan::Plan& plan, double dequantize_scale, double dequantize_bias);

struct Compiled {
  plan::Plan plan;
  std::vector<PassReport> passes;
};

// Throws std::logic_error if the checked model holds something the lowering does not know (a bug,
// since the checker accepted it).
Compiled compile(const sema::CheckedModel& model, const CompileOptions& options);

// The forward graph alone, in training form, before any pass: what the lowering rules produce.
plan::Plan lower_forward(const sema::CheckedModel& model, int64_t batch, int64_t max_frames = 0);

}  // namespace ynet::compiler
