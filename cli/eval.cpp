// `ynet eval` and `ynet predict`: run a trained model's inference plan over tfrecords.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/option_checks.h"
#include "compiler/lower/compile.h"
#include "runtime/backend/backend.h"
#include "runtime/data/data_error.h"
#include "runtime/data/frame_probe.h"
#include "runtime/data/video_decoder.h"
#include "runtime/metrics/json.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/evaluate.h"
#include "runtime/train/feeder.h"
#include "runtime/train/memory_check.h"
#include "runtime/train/run_dir.h"

namespace ynet::cli {
namespace {

namespace fs = std::filesystem;

struct EvalArgs {
  std::string run;
  std::string backend = "cpu";
  std::string precision = "fp32";
  std::string json;
  int threads = 0;
  train::EvalOptions options;
};

// Binds the run's inference plan with the checkpoint's weights; returns the plan's owner.
struct LoadedModel {
  plan::Plan plan;
  std::unique_ptr<runtime::Backend> backend;
  train::RunLocation where;
  std::string checkpoint;  // the one loaded: the newest intact one
  int64_t step = 0;
  bool stored_bytes = false;  // the frames are fed as the records' bytes (see load_model)
};

// Every core computes: the decoding threads run at the lowest priority (runtime/data/dataset.cpp),
// in the gaps the compute leaves, so they no longer stall it.
int compute_threads(const EvalArgs& args) {
  return args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

LoadedModel load_model(const EvalArgs& args) {
  LoadedModel m;
  m.where = train::locate_run(args.run);
  const std::string plan_path = (fs::path(m.where.run_dir) / train::kInferPlanFile).string();
  std::error_code missing;
  if (!fs::exists(plan_path, missing))
    throw std::runtime_error(fmt::format("'{}' has no {}: not a run directory of ynet train", m.where.run_dir,
                                         train::kInferPlanFile));
  m.plan = plan::load(plan_path);
  if (is_int8(args.precision)) compiler::quantize_int8(m.plan);
  // A model that only pools its frames reads them as the bytes the records hold, dequantizing in
  // the pooling step, when the data stores bytes (as YouTube-8M and AudioSet do): a quarter of the
  // memory traffic, and no dequantization pass while decoding.
  const data::DatasetConfig data = train::dataset_config(m.plan, args.options.data);
  if (data::probe_frame_encoding(data) == data::FrameEncoding::kBytes)
    m.stored_bytes = compiler::pool_stored_frames(m.plan, data::dequantize_scale(data.format.quant_min, data.format.quant_max),
                                                  data::dequantize_bias(data.format.quant_min, data.format.quant_max))
                         .changes > 0;
  train::check_memory(m.plan, args.backend);
  m.backend = runtime::make_backend(args.backend, {compute_threads(args)});
  m.backend->bind(m.plan);
  const train::LoadedCheckpoint loaded = train::load_newest_intact(m.where.checkpoints, m.plan, *m.backend, true);
  m.checkpoint = loaded.path;
  m.step = loaded.meta.step;
  m.backend->run(ir::Phase::Prologue, {m.step, 0, 0});
  return m;
}

// The skip accounting of the summary line (each skip was reported on stderr as it happened).
std::string skipped_note(const train::EvalResult& r) {
  if (r.skipped_records == 0) return "";
  return fmt::format("; {} damaged record{} skipped ({} bytes unread)", r.skipped_records,
                     r.skipped_records == 1 ? "" : "s", r.skipped_bytes);
}

template <class F>
int guarded(F f) {
  try {
    return f();
  } catch (const data::DataError& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
  }
  return 1;
}

int run_eval(EvalArgs& args) {
  return guarded([&] {
    LoadedModel m = load_model(args);
    const train::EvalResult r = train::evaluate(m.plan, *m.backend, args.options);
    // With `--json -` the standard output is the JSON alone; the table goes beside it.
    std::FILE* table = args.json == "-" ? stderr : stdout;
    fmt::print(table, "{} at step {} on {} videos ({:.0f} videos/s, {:.0f} MB/s of records, {}{}{}){}\n", m.plan.meta.model,
               m.step, r.videos, r.videos_per_second, r.megabytes_per_second, args.backend,
               is_int8(args.precision) ? ", int8" : "", m.stored_bytes ? ", frames pooled as stored bytes" : "",
               skipped_note(r));
    fmt::print(table, "  Hit@1  {:.4f}\n  PERR   {:.4f}\n  GAP    {:.4f}\n  mAP    {:.4f}\n", r.metrics.hit_at_1,
               r.metrics.perr, r.metrics.gap, r.metrics.map);
    const std::string json_path = args.json.empty() ? (fs::path(m.where.run_dir) / "eval.json").string() : args.json;
    metrics::JsonObject json;
    json.string("checkpoint", m.checkpoint)
        .integer("step", m.step)
        .integer("videos_read", r.videos)
        .integer("skipped_records", static_cast<int64_t>(r.skipped_records))
        .integer("skipped_bytes", static_cast<int64_t>(r.skipped_bytes))
        .string("precision", args.precision)
        .boolean("frames_as_stored_bytes", m.stored_bytes)
        .number("videos_per_second", r.videos_per_second)
        .number("record_megabytes_per_second", r.megabytes_per_second);
    metrics::add_metrics(json, r.metrics);
    metrics::write_json_file(json_path, json.str());
    if (json_path != "-") fmt::print("wrote {}\n", json_path);
    return 0;
  });
}

int run_predict(EvalArgs& args, const std::string& output) {
  return guarded([&] {
    LoadedModel m = load_model(args);
    args.options.predictions_csv = output;
    args.options.with_metrics = false;
    const train::EvalResult r = train::evaluate(m.plan, *m.backend, args.options);
    // With `-o -` the predictions are the standard output; the summary goes beside them.
    fmt::print(output == "-" ? stderr : stdout, "wrote {} predictions of {} videos ({:.0f} videos/s, {:.0f} MB/s of records) to {}{}\n",
               args.options.top_k, r.videos, r.videos_per_second, r.megabytes_per_second,
               output == "-" ? "the standard output" : output, skipped_note(r));
    return 0;
  });
}

void add_common(CLI::App* cmd, EvalArgs& args) {
  cmd->add_option("run", args.run, "A run directory (its newest checkpoint) or a checkpoint file")->required();
  add_files_option(*cmd, "--data", args.options.data, "Tfrecords")->required();
  cmd->add_option("--backend", args.backend, "Backend")->check(CLI::IsMember({"cpu", "reference"}));
  add_precision_option(*cmd, args.precision, "fp32", PrecisionChoices::int8);
  cmd->add_option("--top-k", args.options.top_k, "Predictions per video")->check(CLI::Range(1, 100000));
  cmd->add_option("--max-videos", args.options.max_videos, "Stop after N videos")->check(at_least(1));
  cmd->add_option("--threads", args.threads, "Compute threads (default: every core)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--data-threads", args.options.threads, "Decoding threads")->check(CLI::Range(1, 256));
  cmd->add_flag("--skip-corrupt", args.options.skip_corrupt, "Skip damaged records instead of stopping");
  cmd->add_flag("!--no-verify-crc", args.options.verify_crc, "Do not check record CRCs");
  cmd->add_flag("!--no-direct-reads", args.options.direct_reads,
                "Read every file through the page cache (default: what the cache does not hold is read with O_DIRECT)");
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a trained model: Hit@1, PERR, GAP, mAP");
  cmd->footer("Metrics as the YouTube-8M starter code defines them (docs/metrics.md); written as JSON too.\n"
              "A model that only pools its frames reads them as the records' stored bytes (docs/runtime.md).\n"
              "What the page cache does not hold is read with O_DIRECT, leaving the cache as it was (docs/data.md).\n"
              "With --skip-corrupt each damaged record skipped is reported on stderr and counted in the summary\n"
              "and eval.json; data of which not one video can be read is an error (exit 1). A damaged newest\n"
              "checkpoint is named and the newest intact one used.");
  add_common(cmd, *args);
  cmd->add_option("--json", args->json, "Where to write the metrics (default: RUN/eval.json; '-': the standard output)");
  cmd->callback([args, &exit_code] { exit_code = run_eval(*args); });
}

void add_predict_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvalArgs>();
  auto output = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("predict", "Write a trained model's predictions in the Kaggle CSV format");
  cmd->footer("Header VideoId,LabelConfidencePairs; one row per video: id,label score label score ... by score.\n"
              "A regular file is replaced whole when done; '-', a FIFO, a device or a symlink is written through.");
  add_common(cmd, *args);
  cmd->add_option("-o,--output", *output, "The CSV file ('-': the standard output)")->required();
  cmd->callback([args, output, &exit_code] { exit_code = run_predict(*args, *output); });
}

}  // namespace ynet::cli
