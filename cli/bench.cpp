// `ynet bench`: timings of a spec's training and inference steps on a backend.
#include <fmt/format.h>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/spec_input.h"
#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/bench/bench.h"
#include "runtime/train/memory_check.h"

namespace ynet::cli {
namespace {

struct BenchArgs {
  std::string spec;
  int64_t batch = 0;
  int64_t frames = 0;
  std::vector<std::string> sets;
  std::string precision;
  bench::Options options;
};

int run(BenchArgs& args) {
  int exit_code = 0;
  auto model = load_spec(args.spec, args.sets, exit_code, args.batch);
  if (!model) return exit_code;
  args.options.backend = backend_name(args.options.backend, args.precision, "tf32");
  const SpecPlans plans = compile_plans(*model, args.batch, args.frames,
                                        is_int8(args.precision) ? compiler::Precision::int8 : compiler::Precision::fp32);
  try {
    train::check_memory(plans.train, args.options.backend);
    const bench::Result result = bench::run(plans.train, plans.infer, args.options);
    fmt::print("{}", bench::format(result, plans.train, args.options.backend));
    if (args.options.profile) {
      fmt::print("\n{}", bench::format_profile(result.train_profile, plans.train, "training step profile"));
      fmt::print("\n{}", bench::format_profile(result.inference_profile, plans.infer, "inference profile"));
    }
  } catch (const runtime::BindError& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return 1;
  } catch (const train::PlanTooLarge& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Time a spec's training and inference steps on a backend");
  cmd->add_option("spec", args->spec, "The .ynet spec")->required()->check(CLI::ExistingFile);
  cmd->add_option("--backend", args->options.backend, "Backend")->check(CLI::IsMember({"cpu", "cuda", "reference"}));
  add_precision_option(*cmd, args->precision, "tf32", PrecisionChoices::cuda_and_int8);
  add_batch_option(*cmd, args->batch);
  cmd->add_option("--frames", args->frames, "max_frames (default: the spec's)")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  cmd->add_option("--steps", args->options.steps, "Timed steps")->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", args->options.warmup, "Untimed steps first")->check(CLI::Range(0, 1000));
  cmd->add_option("--threads", args->options.threads, "Threads (default: every core)")->check(CLI::Range(1, 1024));
  cmd->add_flag("--profile", args->options.profile,
                 "Also time every step on its own and list them, slowest first (like `caffe time` per layer)");
  add_set_option(*cmd, args->sets);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace ynet::cli
