// `ynet train`: compile a spec and train it on YouTube-8M-format data.
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/spec_input.h"
#include "cli/workers.h"
#include "plan/emit/emit.h"
#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/data/data_error.h"
#include "runtime/data/dataset.h"
#include "runtime/data/stop_request.h"
#include "runtime/dist/collectives.h"
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
  int workers = 1;
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

// The exit status every rank of a job takes: the first failure's (0 when none failed), so that all
// leave together, rank 0 having said why.
int agreed_status(dist::Collectives* job, int status) {
  if (job == nullptr) return status;
  int64_t worst = status;
  job->max(&worst, 1);
  return static_cast<int>(worst);
}

// The plans of one rank: the spec's batch (or --batch) is the global batch, split evenly.
SpecPlans rank_plans(const sema::CheckedModel& model, int64_t batch, dist::Collectives* job) {
  SpecPlans plans = compile_plans(model, batch);
  if (job == nullptr) return plans;
  const int64_t global = plans.train.meta.batch;
  if (global % job->size() != 0)
    throw std::runtime_error(fmt::format("the batch of {} does not split evenly over {} processes; give --batch a "
                                         "multiple of {} (the batch is the global batch, split across processes)",
                                         global, job->size(), job->size()));
  return compile_plans(model, global / job->size());
}

int run_in_job(TrainArgs& args, dist::Collectives* job) {
  int exit_code = 0;
  const bool writer = job == nullptr || job->rank() == 0;
  std::optional<sema::CheckedModel> model;
  {
    // Every rank checks the same spec: rank 0 alone prints what is wrong with it.
    const int saved_stderr = writer ? -1 : dup(2);
    if (!writer) dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), 2);
    model = load_spec(args.spec, args.sets, exit_code, args.batch);
    if (!writer) dup2(saved_stderr, 2), close(saved_stderr);
  }
  if (const int status = agreed_status(job, model ? 0 : std::max(exit_code, 1)); status != 0) return status;
  train::TrainOptions& options = args.options;
  try {
    options.backend = resolve_backend(job != nullptr && args.backend == "auto" ? "cpu" : args.backend, args.precision);
  } catch (const CLI::ValidationError& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return 2;
  }
  if (job != nullptr && options.backend != "cpu")
    throw std::runtime_error(fmt::format("data-parallel training runs on the cpu backend in this version; the {} "
                                         "backend trains in one process (leave out --workers, or use --backend cpu)",
                                         options.backend));
  options.force = args.force;
  options.collectives = job;
  if (job != nullptr && options.threads == 0)
    options.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                      dist::detect_launch().local_ranks);
  SpecPlans plans = rank_plans(*model, args.batch, job);
  if (args.seed >= 0) plans.train.meta.seed = plans.infer.meta.seed = args.seed;
  const plan::Plan& train_plan = plans.train;

  // Nothing is written here: the trainer validates the run directory, the checkpoint and the data
  // first, and then writes the run's files (runtime/train/run_dir.h).
  data::install_stop_handlers();
  options.run_files.spec_as_run = spec_as_run(args.spec, args.sets);
  if (train::needs_label_counts(train_plan)) {
    if (!args.counts.empty()) {
      options.run_files.label_counts = train::read_label_counts(args.counts, train_plan.meta.classes);
    } else if (writer) {
      fmt::print("counting the training labels for the class-balanced loss (give --counts FILE to skip this)\n");
      options.run_files.label_counts = train::count_labels(train_plan, options.train_data, options.data_threads,
                                                            options.skip_corrupt, options.verify_crc);
    }
    if (job != nullptr) {
      options.run_files.label_counts.resize(static_cast<size_t>(train_plan.meta.classes));
      job->broadcast(options.run_files.label_counts.data(),
                     options.run_files.label_counts.size() * sizeof(options.run_files.label_counts[0]), 0);
    }
  }

  const int64_t global_batch = train_plan.meta.batch * (job ? job->size() : 1);
  fmt::print("training {} ({} parameters) on {}, batch {}{}, {} steps; run directory {}\n", train_plan.meta.model,
             train_plan.parameter_count(true), options.backend, global_batch,
             job ? fmt::format(" ({} processes of {})", job->size(), train_plan.meta.batch) : "",
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
  if (!s.all_reduce_summary.empty()) fmt::print("{}\n", s.all_reduce_summary);
  if (s.interrupted) {
    fmt::print("interrupted at step {}: checkpoint {} written; continue with --resume\n", s.steps, s.last_checkpoint);
    return data::exit_status_for_signal(s.stop_signal);
  }
  return 0;
}

// Reports a failure; in a job, as the failing rank, and then ends every rank of it, since the
// others would otherwise wait for this one forever.
int fail(dist::Collectives* job, int status, const std::string& message) {
  if (job == nullptr) {
    fmt::print(stderr, "ynet: {}\n", message);
    return status;
  }
  fmt::print(stderr, "ynet: rank {} of {} on {}: {}\n", job->rank(), job->size(), job->host(), message);
  job->abort(status);  // does not return
  return status;
}

int run(TrainArgs& args) {
  if (args.workers > 1) {
    try {
      if (const std::optional<int> status = run_as_workers(args.workers)) return *status;
    } catch (const std::runtime_error& e) {
      fmt::print(stderr, "ynet: error: {}\n", e.what());
      return 2;
    }
  }
  std::unique_ptr<dist::Collectives> job = dist::join_job();
  // Rank 0 speaks for the job; the others' warnings and errors still reach stderr, with their rank.
  if (job != nullptr && job->rank() != 0) dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), 1);
  try {
    return run_in_job(args, job.get());
  } catch (const data::DataError& e) {
    return fail(job.get(), 1, fmt::format("error: {}", e.what()));
  } catch (const data::StopRequested& e) {
    return fail(job.get(), data::exit_status_for_signal(e.signal()),
                fmt::format("{} before training started; nothing was written", e.what()));
  } catch (const std::runtime_error& e) {
    return fail(job.get(), 1, fmt::format("error: {}", e.what()));
  }
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
  cmd->add_option("--workers", args->workers,
                  "Train as N processes on this machine, each on 1/N of every batch (runs mpirun; for several "
                  "machines start ynet under mpirun or srun instead)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", args->options.resume, "Continue the run in --out from its newest checkpoint");
  cmd->add_flag("--force", args->force, "Start over in an --out that holds another run");
  cmd->add_flag("--skip-corrupt", args->options.skip_corrupt, "Skip damaged records instead of stopping");
  cmd->add_flag("!--no-verify-crc", args->options.verify_crc, "Do not check record CRCs");
  add_set_option(*cmd, args->sets);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace ynet::cli
