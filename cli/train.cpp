// `ynet train`: compile a spec and train it on YouTube-8M-format data.
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/spec_input.h"
#include "plan/emit/emit.h"
#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/data/data_error.h"
#include "runtime/data/dataset.h"
#include "runtime/data/stop_request.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/label_counts.h"
#include "runtime/train/run_dir.h"
#include "runtime/train/trainer.h"

namespace ynet::cli {
namespace {

namespace fs = std::filesystem;

struct TrainArgs {
  std::string spec;
  std::vector<std::string> sets;
  std::string backend = "auto";
  std::string precision;
  int64_t batch = 0;
  int64_t seed = -1;
  std::string counts;
  bool force = false;
  train::TrainOptions options;
};

// Whether `line` declares `param NAME =` (leading blanks allowed).
bool declares_param(const std::string& line, const std::string& name) {
  std::istringstream words(line);
  std::string keyword, declared;
  words >> keyword >> declared;
  if (keyword != "param") return false;
  if (declared == name) return true;
  return declared.size() > name.size() && declared.compare(0, name.size(), name) == 0 &&
         declared[name.size()] == '=';
}

// The spec as run: each overridden `param` line carries its --set value.
std::string spec_as_run(const std::string& path, const std::vector<std::string>& sets) {
  std::ifstream in(path);
  std::string header = "# as run by ynet train";
  for (const std::string& s : sets) header += " --set " + s;
  std::string text = header + "\n", line;
  while (std::getline(in, line)) {
    for (const std::string& s : sets) {
      const size_t eq = s.find('=');
      const std::string name = s.substr(0, eq);
      if (declares_param(line, name)) line = "param " + name + " = " + s.substr(eq + 1) + "  # --set";
    }
    text += line + "\n";
  }
  return text;
}

// auto: the GPU when this build and machine can use one, else the CPU, saying why.
std::string resolve_backend(const std::string& requested, const std::string& precision) {
  if (requested == "auto") {
    const std::string why_not = runtime::cuda_unavailable_reason();
    if (why_not.empty()) {
      const std::string name = backend_name("cuda", precision, "tf32");
      fmt::print("backend: {}\n", name);
      return name;
    }
    fmt::print("backend: cpu ({})\n", why_not);
    return "cpu";
  }
  const std::string name = backend_name(requested, precision, "tf32");
  // Before the run directory is touched.
  if (requested == "cuda" && !runtime::cuda_unavailable_reason().empty())
    throw std::runtime_error(runtime::cuda_unavailable_reason());
  return name;
}

int run(TrainArgs& args) {
  int exit_code = 0;
  auto model = load_spec(args.spec, args.sets, exit_code, args.batch);
  if (!model) return exit_code;
  train::TrainOptions& options = args.options;
  try {
    options.backend = resolve_backend(args.backend, args.precision);
  } catch (const CLI::ValidationError& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return 2;
  }
  options.force = args.force;
  SpecPlans plans = compile_plans(*model, args.batch);
  if (args.seed >= 0) plans.train.meta.seed = plans.infer.meta.seed = args.seed;
  const plan::Plan& train_plan = plans.train;

  // Nothing is written here: the trainer validates the run directory, the checkpoint and the data
  // first, and then writes the run's files (runtime/train/run_dir.h).
  data::install_stop_handlers();
  options.run_files.spec_as_run = spec_as_run(args.spec, args.sets);
  if (train::needs_label_counts(train_plan)) {
    if (!args.counts.empty()) {
      options.run_files.label_counts = train::read_label_counts(args.counts, train_plan.meta.classes);
    } else {
      fmt::print("counting the training labels for the class-balanced loss (give --counts FILE to skip this)\n");
      options.run_files.label_counts = train::count_labels(train_plan, options.train_data, options.data_threads,
                                                            options.skip_corrupt, options.verify_crc);
    }
  }

  fmt::print("training {} ({} parameters) on {}, batch {}, {} steps; run directory {}\n", train_plan.meta.model,
             train_plan.parameter_count(true), options.backend, train_plan.meta.batch,
             options.steps > 0 ? options.steps : train_plan.meta.steps, options.out_dir);
  const train::TrainSummary s = train::train(plans.train, plans.infer, options);
  if (s.already_finished) {
    fmt::print("the run in {} already finished at step {} ({}); nothing to do (give --steps N above {} to train on)\n",
               options.out_dir, s.steps, s.last_checkpoint, s.steps);
    return 0;
  }
  fmt::print("trained {} steps ({} samples) in {:.1f} s: {:.1f} samples/s, last loss {:.4f}\ncheckpoint {}\n", s.steps,
             s.samples, s.seconds, s.samples_per_second, s.last_loss, s.last_checkpoint);
  if (!s.skipped_summary.empty()) fmt::print("{}, each reported above\n", s.skipped_summary);
  if (s.interrupted) {
    fmt::print("interrupted at step {}: checkpoint {} written; continue with --resume\n", s.steps, s.last_checkpoint);
    return data::exit_status_for_signal(s.stop_signal);
  }
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a spec on YouTube-8M-format tfrecords");
  cmd->footer(
      "The run directory keeps the spec as run, the plans, metrics.jsonl, curves.svg, a TensorBoard\n"
      "event file and the last checkpoints. Ctrl-C (or SIGTERM) finishes the step, writes a checkpoint\n"
      "and exits with status 130 (143); --resume continues exactly where the run stopped. One trainer at\n"
      "a time holds a run directory (run.lock). Exit status: 0 done, 1 bad input (spec, data, checkpoint,\n"
      "run directory), 2 a usage error, 130/143 interrupted.");
  cmd->add_option("spec", args->spec, "The .ynet spec")->required()->check(CLI::ExistingFile);
  add_files_option(*cmd, "--train", args->options.train_data, "Training tfrecords")->required();
  add_files_option(*cmd, "--valid", args->options.valid_data, "Validation tfrecords, evaluated every eval_every steps");
  cmd->add_option("--out", args->options.out_dir, "Run directory")->required();
  cmd->add_option("--backend", args->backend, "auto (cuda when a GPU is usable, else cpu), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  add_precision_option(*cmd, args->precision, "tf32");
  cmd->add_option("--steps", args->options.steps, "Training steps (default: the spec's)")->check(at_least(1));
  add_batch_option(*cmd, args->batch);
  cmd->add_option("--seed", args->seed, "Seed (default: the spec's)")->check(at_least(0));
  cmd->add_option("--eval-every", args->options.eval_every, "Steps between evaluations (default: the spec's)")
      ->check(at_least(1));
  cmd->add_option("--eval-videos", args->options.eval_videos, "Evaluate on at most N validation videos")
      ->check(at_least(1));
  cmd->add_option("--counts", args->counts, "Label counts (from ynet stats) for a class-balanced loss")
      ->check(CLI::ExistingFile);
  cmd->add_option("--threads", args->options.threads, "Compute threads (default: every core)")->check(CLI::Range(1, 1024));
  cmd->add_option("--data-threads", args->options.data_threads, "Decoding threads")->check(CLI::Range(1, 256));
  cmd->add_option("--keep", args->options.keep_checkpoints, "Checkpoints to keep")->check(CLI::Range(1, 1000));
  cmd->add_flag("--resume", args->options.resume, "Continue the run in --out from its newest checkpoint");
  cmd->add_flag("--force", args->force, "Start over in an --out that holds another run");
  cmd->add_flag("--skip-corrupt", args->options.skip_corrupt, "Skip damaged records instead of stopping");
  cmd->add_flag("!--no-verify-crc", args->options.verify_crc, "Do not check record CRCs");
  add_set_option(*cmd, args->sets);
  cmd->callback([args, &exit_code] {
    try {
      exit_code = run(*args);
    } catch (const data::DataError& e) {
      fmt::print(stderr, "ynet: error: {}\n", e.what());
      exit_code = 1;
    } catch (const data::StopRequested& e) {
      fmt::print(stderr, "ynet: {} before training started; nothing was written\n", e.what());
      exit_code = data::exit_status_for_signal(e.signal());
    } catch (const std::runtime_error& e) {
      fmt::print(stderr, "ynet: error: {}\n", e.what());
      exit_code = 1;
    }
  });
}

}  // namespace ynet::cli
