#include "runtime/train/trainer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include "runtime/backend/backend.h"
#include "runtime/data/dataset.h"
#include "ops/optim/schedule/schedule.h"
#include "runtime/data/file_glob.h"
#include "runtime/data/skip_report.h"
#include "runtime/data/stop_request.h"
#include "runtime/dist/gradient_reducer.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/data_parallel.h"
#include "runtime/train/evaluate.h"
#include "runtime/train/feeder.h"
#include "runtime/train/initialize.h"
#include "runtime/train/memory_check.h"
#include "runtime/train/run_log.h"

namespace ynet::train {

namespace {

using Clock = std::chrono::steady_clock;

ops::optim::LearningRateSchedule schedule_of(const plan::PlanMeta& meta) {
  ops::optim::LearningRateSchedule s;
  auto arg = [](const std::map<std::string, double>& args, const char* key, double fallback) {
    auto it = args.find(key);
    return it == args.end() ? fallback : it->second;
  };
  s.base = arg(meta.optimizer.args, "lr", 1e-3);
  if (meta.schedule == "StepDecay" || meta.schedule == "ExponentialDecay") {
    s.kind = meta.schedule == "StepDecay" ? ops::optim::DecayKind::step : ops::optim::DecayKind::exponential;
    s.factor = arg(meta.schedule_args, "factor", 1.0);
    s.every = std::max(1.0, arg(meta.schedule_args, "every", 1.0));
  }
  return s;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// Copies parameters and model state by name from the training backend into the inference backend.
void copy_weights(const plan::Plan& from_plan, const runtime::Backend& from, const plan::Plan& to_plan,
                  runtime::Backend& to) {
  std::vector<float> buffer;
  auto copy = [&](const std::string& name, int to_value) {
    const int from_value = from_plan.graph.find_value(name);
    if (from_value < 0) throw std::logic_error("the inference plan has '" + name + "', the train plan does not");
    buffer.resize(static_cast<size_t>(to_plan.graph.value(to_value).elements()));
    from.read(from_value, buffer);
    to.write(to_value, buffer);
  };
  for (const ir::ParamEntry& p : to_plan.graph.params) copy(p.name, p.value);
  for (const ir::StateEntry& s : to_plan.graph.state)
    if (s.init != "derived") copy(s.name, s.value);
}

// Names what went wrong when the loss is not finite: the first non-finite loss term.
std::string non_finite_culprit(const plan::Plan& plan, const runtime::Backend& backend) {
  std::vector<float> v(1);
  for (int term : plan.graph.live_out) {
    if (term == plan.graph.loss || plan.graph.value(term).kind != ir::BufferKind::Scalar) continue;
    backend.read(term, v);
    if (!std::isfinite(v[0])) return fmt::format("loss term '{}' is {}", plan.graph.value(term).name, v[0]);
  }
  for (const ir::ParamEntry& p : plan.graph.params) {
    std::vector<float> w(static_cast<size_t>(plan.graph.value(p.value).elements()));
    backend.read(p.value, w);
    for (float x : w)
      if (!std::isfinite(x)) return fmt::format("parameter '{}' holds {}", p.name, x);
  }
  return "the loss itself";
}

// A batch larger than the training data repeats videos within one step (epochs run on into the
// next): legal, but rarely meant.
void warn_if_repeated(const data::Batch& batch) {
  std::set<std::string> ids(batch.video_ids.begin(), batch.video_ids.begin() + batch.count);
  if (static_cast<int>(ids.size()) < batch.count)
    fmt::print(stderr, "ynet: warning: a batch of {} holds only {} different videos: the training data has fewer videos "
               "than a batch, so each step sees some of them more than once\n", batch.count, ids.size());
}

// The checks a start makes before anything is written: the run directory against --resume and
// --force.
void check_run_directory(const TrainOptions& options) {
  if (options.resume && options.force)
    throw std::runtime_error("--resume and --force contradict each other: --resume continues the run in --out, --force "
                             "deletes it and starts over");
  const bool occupied = holds_run(options.out_dir);
  if (options.resume && !occupied)
    throw std::runtime_error(fmt::format("--resume: '{}' holds no run to continue (no checkpoint); leave out --resume to "
                                         "start one", options.out_dir));
  if (!options.resume && occupied && !options.force)
    throw std::runtime_error(fmt::format("'{}' holds another run; pass --resume to continue it or --force to start over",
                                         options.out_dir));
}

}  // namespace

TrainSummary train(const plan::Plan& train_plan, const plan::Plan& infer_plan, const TrainOptions& options) {
  const plan::PlanMeta& meta = train_plan.meta;
  const int64_t total_steps = options.steps > 0 ? options.steps : meta.steps;
  const int64_t eval_every = options.eval_every > 0 ? options.eval_every : std::max<int64_t>(meta.eval_every, 1);
  const uint64_t seed = static_cast<uint64_t>(meta.seed);
  const std::string checkpoints = (std::filesystem::path(options.out_dir) / "checkpoints").string();
  const DataParallel ranks(options.collectives);
  const bool writer = ranks.writer();
  const int64_t global_batch = meta.batch * ranks.ranks();

  // Before the lock creates the directory: --resume of nothing must leave nothing behind.
  std::error_code ec;
  if (writer && options.resume && !std::filesystem::is_directory(options.out_dir, ec))
    throw std::runtime_error(fmt::format("--resume: '{}' holds no run to continue (it does not exist); leave out "
                                         "--resume to start one", options.out_dir));
  std::optional<RunLock> lock;
  if (writer) {
    lock.emplace(options.out_dir);
    check_run_directory(options);
  }
  check_memory(train_plan, options.backend);
  auto backend = runtime::make_backend(options.backend, {options.threads});
  backend->bind(train_plan);
  std::optional<dist::GradientReducer> reducer;
  if (ranks.distributed()) reducer.emplace(train_plan, *backend, *ranks.collectives());
  TrainSummary summary;
  int64_t step = 0, samples = 0;
  data::DatasetPosition position;
  std::string position_text = data::to_string(position);
  // Rank 0 loads or initialises the state and hands it to the other ranks.
  if (options.resume && writer) {
    std::vector<std::string> newest_first;
    for (const auto& [number, path] : list_checkpoints(checkpoints)) newest_first.insert(newest_first.begin(), path);
    if (newest_first.empty())
      throw std::runtime_error(fmt::format("--resume: '{}' holds no checkpoint to continue from (the run stopped before "
                                           "its first); start over with --force", options.out_dir));
    const LoadedCheckpoint loaded = load_newest_intact(newest_first, train_plan, *backend, false);
    step = loaded.meta.step;
    samples = loaded.meta.samples;
    position_text = loaded.meta.data_position;
    if (!data::parse_position(position_text, position))
      throw std::runtime_error(fmt::format("checkpoint '{}' has an unreadable data position '{}'", loaded.path,
                                           loaded.meta.data_position));
    if (options.steps > 0 && options.steps < step)
      throw std::runtime_error(fmt::format("--steps {}: the run is already at step {} ({}); give more steps to continue it",
                                           options.steps, step, loaded.path));
    summary.last_checkpoint = loaded.path;
    if (step < total_steps) fmt::print("resuming from {} (step {}, {} samples)\n", loaded.path, step, samples);
  } else if (writer) {
    initialize(train_plan, seed, options.run_files.label_counts,
               [&](int v, std::span<const float> d) { backend->write(v, d); });
  }
  int64_t progress[2] = {step, samples};
  ranks.share(progress, 2);
  step = progress[0];
  samples = progress[1];
  ranks.share(position_text);
  ranks.share(summary.last_checkpoint);
  if (step >= total_steps) {
    summary.already_finished = true;
    summary.steps = step;
    summary.samples = samples;
    return summary;
  }
  if (!data::parse_position(position_text, position))
    throw std::logic_error("rank 0 sent an unreadable data position '" + position_text + "'");
  ranks.share_state(train_plan, *backend);
  backend->run(ir::Phase::Prologue, {step, 0, seed});

  data::DatasetConfig config = dataset_config(train_plan, options.train_data);
  config.shuffle = true;
  config.epochs = 0;
  config.drop_remainder = true;
  config.threads = options.data_threads;
  config.prefetch = 4;
  config.verify_crc = options.verify_crc;
  config.skip_corrupt = options.skip_corrupt;
  // Each process reads its rows of every global batch (docs/data.md, "Slicing global batches").
  config.slicing = {ranks.rank(), ranks.ranks()};
  data::Dataset dataset(config);
  if (writer && dataset.shuffle_mode() != config.shuffle_mode)
    fmt::print(stderr, "ynet: warning: the training data are compressed, so they are shuffled within windows of {} "
                       "records, not by a permutation of all records (docs/data.md, \"Order\")\n",
               config.shuffle_buffer);
  data::SkipReport skips(ranks.distributed() ? fmt::format("training data (rank {} on {})", ranks.rank(),
                                                           ranks.collectives()->host())
                                             : "training data");
  dataset.on_skip([&](const data::DataError& error) { skips.add(error); });
  data::SkipReport valid_skips("validation data");
  // Every input is checked now, not at the first evaluation an hour later.
  if (!options.valid_data.empty()) data::expand_globs({options.valid_data});
  if (step > 0) dataset.seek(position);
  BatchFeeder feeder(train_plan);
  data::Batch batch;
  auto next_batch = [&] {
    try {
      if (!dataset.next(batch))
        throw std::runtime_error(fmt::format("the training data '{}' holds no full batch of {}{}", options.train_data,
                                             meta.batch,
                                             skips.first() ? fmt::format(" ({}; the first: {})", skips.summary(),
                                                                         skips.first()->what())
                                                           : ""));
      return true;
    } catch (const data::StopRequested&) {
      return false;  // checkpointed below, at the position of the last batch trained on
    }
  };
  // The first batch is read before anything is written: data the model cannot use at all (the
  // wrong spec for the data, every record damaged) fails the start, not a run directory.
  // Where the batches trained on end: what a checkpoint records (a batch read but not trained on
  // is read again after a resume).
  data::DatasetPosition trained_up_to = dataset.position();
  bool pending = step < total_steps && next_batch();

  // Validated: from here on the run directory is written, unless the user has asked to stop.
  if (const int signal = data::stop_signal(); signal != 0) throw data::StopRequested(signal);
  std::optional<RunLog> log;
  if (writer) {
    if (options.force) clear_run(options.out_dir);
    std::filesystem::create_directories(checkpoints);
    write_run_files(options.out_dir, options.run_files, train_plan, infer_plan);
    // Rows logged after the checkpoint (a run killed between a log line and its checkpoint) are
    // logged again by the resumed run.
    if (options.resume) RunLog::truncate(options.out_dir, step);
    log.emplace(options.out_dir);
  }
  const ops::optim::LearningRateSchedule schedule = schedule_of(meta);

  std::unique_ptr<runtime::Backend> infer_backend;
  auto run_eval = [&] {
    if (options.valid_data.empty() || !writer) return;
    if (!infer_backend) {
      infer_backend = runtime::make_backend(options.backend, {options.threads});
      infer_backend->bind(infer_plan);
    }
    copy_weights(train_plan, *backend, infer_plan, *infer_backend);
    infer_backend->run(ir::Phase::Prologue, {step, 0, seed});
    EvalOptions eo;
    eo.data = options.valid_data;
    eo.max_videos = options.eval_videos;
    eo.threads = options.data_threads;
    eo.verify_crc = options.verify_crc;
    eo.skip_corrupt = options.skip_corrupt;
    eo.direct_reads = false;  // the set is read again at every evaluation: let the cache keep it
    eo.skip_report = &valid_skips;
    EvalResult r;
    try {
      r = evaluate(infer_plan, *infer_backend, eo);
    } catch (const data::StopRequested&) {
      fmt::print("evaluation at step {} interrupted\n", step);
      return;  // the loop stops and checkpoints
    }
    summary.last_eval = {{"hit_at_1", r.metrics.hit_at_1}, {"perr", r.metrics.perr}, {"gap", r.metrics.gap},
                         {"map", r.metrics.map}, {"videos", static_cast<double>(r.videos)},
                         {"videos_per_s", r.videos_per_second},
                         {"skipped_records", static_cast<double>(r.skipped_records)},
                         {"skipped_bytes", static_cast<double>(r.skipped_bytes)}};
    log->log("eval", step, samples, summary.last_eval);
    log->draw_curves(meta.model);
    fmt::print("eval at step {}: Hit@1 {:.4f}  PERR {:.4f}  GAP {:.4f}  mAP {:.4f}  ({} videos, {:.0f} videos/s{})\n", step,
               r.metrics.hit_at_1, r.metrics.perr, r.metrics.gap, r.metrics.map, r.videos, r.videos_per_second,
               r.skipped_records > 0 ? fmt::format("; {} damaged records skipped, {} bytes unread", r.skipped_records,
                                                   r.skipped_bytes)
                                     : "");
  };
  auto kept_checkpoint = [&] {
    return summary.last_checkpoint.empty() ? std::string("no checkpoint had been written yet")
                                           : "the last good checkpoint is kept in " + summary.last_checkpoint;
  };
  auto save = [&] {
    if (!writer) return;
    const std::string path = checkpoint_path(checkpoints, step);
    try {
      save_checkpoint(path, {meta.model, step, samples, seed, data::to_string(trained_up_to), options.backend},
                      train_plan, *backend);
    } catch (const NonFiniteTensor& e) {
      throw std::runtime_error(fmt::format("after step {}: {} (training diverged); stopped, {}", step, e.what(),
                                           kept_checkpoint()));
    }
    prune_checkpoints(checkpoints, options.keep_checkpoints);
    summary.last_checkpoint = path;
  };

  const bool tty = writer && isatty(fileno(stdout));
  std::vector<float> loss(1);
  const auto start = Clock::now();
  auto last_report = start;
  const int64_t first_step = step;
  double loss_sum = 0;
  int64_t loss_count = 0;
  while (step < total_steps) {
    if (!pending) pending = next_batch();
    // Every rank leaves at the same step: a stop asked of one (or data that ended on one) stops all.
    if (ranks.agree_to_stop(!pending || data::stop_requested())) break;
    pending = false;
    if (step == first_step && writer) warn_if_repeated(batch);
    feeder.write(batch, *backend);
    const double lr = schedule.at(static_cast<uint64_t>(samples));
    runtime::StepContext ctx{step, lr, seed};
    ctx.slice = ranks.slice(meta.batch);
    if (reducer) {
      backend->forward(ctx);
      reducer->backward(ctx);
      backend->run(ir::Phase::Optimizer, ctx);
    } else {
      backend->train_step(ctx);
    }
    trained_up_to = dataset.position();
    backend->read(train_plan.graph.loss, loss);
    const double step_loss = ranks.mean(loss[0]);
    if (!std::isfinite(step_loss))
      throw std::runtime_error(fmt::format("step {}: the loss is {} ({}); stopped, {}", step, step_loss,
                                           non_finite_culprit(train_plan, *backend), kept_checkpoint()));
    ++step;
    samples += global_batch;
    loss_sum += step_loss;
    ++loss_count;
    summary.last_loss = step_loss;

    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const double rate = static_cast<double>((step - first_step) * global_batch) / std::max(elapsed, 1e-9);
    const bool report_now = writer && (std::chrono::duration<double>(now - last_report).count() >= (tty ? 0.5 : 10.0) ||
                                       step == total_steps || step % eval_every == 0);
    if (report_now) {
      const double eta = static_cast<double>((total_steps - step) * global_batch) / std::max(rate, 1e-9);
      const double mean_loss = loss_sum / static_cast<double>(loss_count);
      std::map<std::string, double> values{{"loss", mean_loss}, {"learning_rate", lr}, {"samples_per_s", rate}};
      if (options.skip_corrupt) {
        values["skipped_records"] = static_cast<double>(skips.records());
        values["skipped_bytes"] = static_cast<double>(skips.bytes());
      }
      log->log("train", step, samples, values);
      const std::string line = fmt::format("step {}/{}  loss {:.4f}  lr {:.3g}  {:.0f} samples/s  ETA {}", step,
                                           total_steps, mean_loss, lr, rate, format_duration(eta));
      if (tty) fmt::print("\r{:<100}", line);
      else fmt::print("{}\n", line);
      std::fflush(stdout);
      loss_sum = 0;
      loss_count = 0;
      last_report = now;
    }
    if (step % eval_every == 0 && step < total_steps) {
      if (tty) fmt::print("\n");
      save();
      run_eval();
    }
  }
  if (tty) fmt::print("\n");
  summary.stop_signal = data::stop_signal();
  summary.interrupted = summary.stop_signal != 0 && step < total_steps;
  save();
  if (!summary.interrupted) run_eval();
  if (log) log->draw_curves(meta.model);
  summary.steps = step;
  summary.samples = samples;
  summary.skipped_records = skips.records();
  summary.skipped_bytes = skips.bytes();
  summary.skipped_summary = skips.summary();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (reducer)
    summary.all_reduce_summary = fmt::format(
        "gradient all-reduce: {:.1f} MiB per step in {} calls over {} processes; {:.2f} s waited for it after the "
        "backward pass ({:.1f}% of the training time)",
        static_cast<double>(reducer->bytes()) / (1 << 20), reducer->calls(), ranks.ranks(), reducer->seconds_waiting(),
        100 * reducer->seconds_waiting() / std::max(summary.seconds, 1e-9));
  summary.samples_per_second =
      static_cast<double>((step - first_step) * global_batch) / std::max(summary.seconds, 1e-9);
  return summary;
}

}  // namespace ynet::train
