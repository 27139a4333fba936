#include "runtime/train/evaluate.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "runtime/data/dataset.h"
#include "runtime/data/skip_report.h"
#include "runtime/metrics/predictions_csv.h"
#include "runtime/train/feeder.h"

namespace ynet::train {

int prediction_buffer(const plan::Plan& plan) {
  for (int v : plan.graph.live_out)
    if (plan.graph.value(v).kind != ir::BufferKind::Scalar) return v;
  throw std::invalid_argument(fmt::format("the plan of {} has no output to evaluate; add an `output` statement",
                                          plan.meta.model));
}

EvalResult evaluate(const plan::Plan& plan, runtime::Backend& backend, const EvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  data::DatasetConfig config = dataset_config(plan, options.data);
  config.shuffle = false;
  config.epochs = 1;
  config.threads = options.threads;
  config.verify_crc = options.verify_crc;
  config.skip_corrupt = options.skip_corrupt;
  config.direct_reads = options.direct_reads;
  data::Dataset dataset(config);
  data::SkipReport own_skips(options.data_name);
  data::SkipReport& skips = options.skip_report != nullptr ? *options.skip_report : own_skips;
  const uint64_t records_before = skips.records(), bytes_before = skips.bytes();
  dataset.on_skip([&](const data::DataError& error) { skips.add(error); });
  BatchFeeder feeder(plan);
  const int predictions = prediction_buffer(plan);
  const int64_t classes = plan.meta.classes;
  std::vector<float> scores(static_cast<size_t>(plan.graph.value(predictions).elements()));

  metrics::EvaluatorOptions eval_options;
  eval_options.num_classes = static_cast<int>(classes);
  eval_options.top_k = options.top_k;
  metrics::StreamingEvaluator evaluator(eval_options);
  std::unique_ptr<metrics::PredictionWriter> writer;
  if (!options.predictions_csv.empty())
    writer = std::make_unique<metrics::PredictionWriter>(options.predictions_csv, static_cast<int>(classes), options.top_k);

  data::Batch batch;
  EvalResult result;
  int64_t step = 0;
  while (dataset.next(batch)) {
    int rows = batch.count;
    if (options.max_videos > 0) rows = static_cast<int>(std::min<int64_t>(rows, options.max_videos - result.videos));
    if (rows <= 0) break;
    feeder.write(batch, backend);
    backend.forward({step++, 0, 0});
    backend.read(predictions, scores);
    const std::span<const std::string> ids(batch.video_ids.data(), static_cast<size_t>(rows));
    if (options.with_metrics) {
      const metrics::SparseLabels labels{std::span<const int32_t>(batch.label_offsets.data(), static_cast<size_t>(rows) + 1),
                                         std::span<const int32_t>(batch.labels)};
      evaluator.add(scores.data(), rows, labels, ids);
    }
    if (writer) writer->add(scores.data(), ids);
    result.videos += rows;
    result.record_bytes += batch.record_bytes * static_cast<uint64_t>(rows) / static_cast<uint64_t>(batch.count);
    if (options.max_videos > 0 && result.videos >= options.max_videos) break;
  }
  if (result.videos == 0)
    throw std::runtime_error(fmt::format("not one video of '{}' could be read{}", options.data,
                                         skips.first() ? fmt::format(" ({}; the first: {})", skips.summary(),
                                                                     skips.first()->what())
                                                       : ""));
  result.skipped_records = skips.records() - records_before;
  result.skipped_bytes = skips.bytes() - bytes_before;
  if (writer) writer->finish();
  if (options.with_metrics) result.metrics = evaluator.compute();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.videos_per_second = result.seconds > 0 ? static_cast<double>(result.videos) / result.seconds : 0;
  result.megabytes_per_second = result.seconds > 0 ? static_cast<double>(result.record_bytes) / 1e6 / result.seconds : 0;
  return result;
}

}  // namespace ynet::train
