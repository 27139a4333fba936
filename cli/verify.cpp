// `ynet verify`: gradient check of the reference backend and agreement of a backend with it.
#include <fmt/format.h>

#include <algorithm>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/spec_input.h"
#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/verify/verify.h"

namespace ynet::cli {
namespace {

constexpr double kTf32Tolerance = 1e-2;

struct VerifyArgs {
  std::string spec;
  std::string backend = "cpu";
  std::string precision;
  bool tolerance_given = false;
  int64_t batch = 3;
  int64_t frames = 5;
  std::vector<std::string> sets;
  verify::Options options;
};

int run(VerifyArgs& args) {
  int exit_code = 0;
  auto model = load_spec(args.spec, args.sets, exit_code, args.batch);
  if (!model) return exit_code;
  const plan::Plan plan = compile_plans(*model, args.batch, args.frames).train;
  args.options.backend = backend_name(args.backend, args.precision, "fp32");
  if (args.backend == "cuda" && !runtime::cuda_unavailable_reason().empty()) {
    fmt::print(stderr, "ynet: error: {}\n", runtime::cuda_unavailable_reason());
    return 1;
  }
  // TF32 rounds the factors of every product to 11 significant bits: a relative error near 1e-3.
  if (args.options.backend == "cuda:tf32" && !args.tolerance_given) args.options.tolerance = kTf32Tolerance;
  fmt::print("verifying {} on {} at batch {}, max_frames {} ({} parameters)\n", model->name, args.options.backend,
             args.batch, plan.meta.max_frames, plan.parameter_count(true));
  verify::Report report;
  try {
    report = verify::run(plan, args.options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return 1;
  }
  fmt::print("{}", report.table());
  const size_t failed = static_cast<size_t>(std::count_if(report.checks.begin(), report.checks.end(),
                                                          [](const verify::Check& c) { return !c.passed(); }));
  fmt::print("{} checks, {} failed\n", report.checks.size(), failed);
  return report.passed() ? 0 : 1;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand("verify", "Check a backend's forward and backward on a spec against the reference");
  cmd->footer(
      "Compiles the spec at a small size, checks the double-precision reference backend's gradients by\n"
      "central finite differences, then runs the chosen backend on the same random parameters and batch\n"
      "and compares its loss and gradients with the reference. Exits 1 past tolerance. Shrink large\n"
      "specs with --set (e.g. --set hidden=32) to keep it fast.");
  cmd->add_option("spec", args->spec, "The .ynet spec")->required()->check(CLI::ExistingFile);
  cmd->add_option("--backend", args->backend, "Backend to check against the reference")
      ->check(CLI::IsMember({"cpu", "cuda", "reference"}));
  add_precision_option(*cmd, args->precision, "fp32");
  add_batch_option(*cmd, args->batch, "Batch size (default 3)");
  cmd->add_option("--frames", args->frames, "max_frames to compile at (frame-level inputs)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_option("--seed", args->options.seed, "Seed of the random parameters and batch");
  cmd->add_option("--samples", args->options.samples, "Finite-difference probes per parameter tensor")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--tolerance", args->options.tolerance,
                  "Backend vs reference, relative to the tensor's largest value (default 1e-4; 1e-2 with "
                  "--precision tf32)")
      ->check(CLI::PositiveNumber)
      ->each([args](const std::string&) { args->tolerance_given = true; });
  cmd->add_option("--fd-tolerance", args->options.fd_tolerance, "Reference vs finite differences")
      ->check(CLI::PositiveNumber);
  add_set_option(*cmd, args->sets);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace ynet::cli
