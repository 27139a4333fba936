#pragma once
// What every subcommand that takes a spec shares: `--set k=v` options and turning a spec file into
// a checked model, printing its diagnostics the way `ynet check` does.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/lower/compile.h"
#include "compiler/sema/checked_model.h"

namespace ynet::cli {

// Adds `--set NAME=VALUE` (repeatable) to a subcommand.
void add_set_option(CLI::App& command, std::vector<std::string>& sets);

// The largest --batch any subcommand takes: one definition, so that a batch `compile` accepts is
// one `train`, `bench` and `verify` accept too.
inline constexpr int64_t kMaxBatch = int64_t{1} << 20;

// Adds `--batch N` (1 to kMaxBatch; 0, the default, keeps the spec's train.batch).
void add_batch_option(CLI::App& command, int64_t& batch, const std::string& help = "Batch size (default: the spec's train.batch)");

// The training plan and its inference plan, compiled the one way `train`, `bench` and `verify`
// share (so that a run's plans are the same bytes whichever command compiled them). `batch` and
// `max_frames` 0 keep the spec's.
struct SpecPlans {
  plan::Plan train;
  plan::Plan infer;
};
SpecPlans compile_plans(const sema::CheckedModel& model, int64_t batch, int64_t max_frames = 0,
                        compiler::Precision infer_precision = compiler::Precision::fp32);

// Checks the spec with the overrides, its sizes at `batch` (a --batch; 0: the spec's). Prints
// warnings and errors to stderr. On failure returns nothing and sets exit_code: 1 for errors in the
// spec, 2 for a malformed or unknown --set.
std::optional<sema::CheckedModel> load_spec(const std::string& path, const std::vector<std::string>& sets,
                                            int& exit_code, int64_t batch = 0);

}  // namespace ynet::cli
