#pragma once
// Evaluation and prediction with an inference plan: stream a dataset through the bound plan and
// feed its predictions to the streaming evaluator (Hit@1, PERR, GAP, mAP) and, when asked, to the
// Kaggle-format predictions file.
#include <cstdint>
#include <string>

#include "plan/plan.h"
#include "runtime/data/skip_report.h"
#include "runtime/backend/backend.h"
#include "runtime/metrics/evaluator.h"

namespace ynet::train {

struct EvalOptions {
  std::string data;             // file globs
  int64_t max_videos = 0;       // 0: every video
  int top_k = 20;               // entries per video for GAP and mAP, and in the predictions file
  std::string predictions_csv;  // empty: none
  bool with_metrics = true;     // false for unlabelled data (prediction only)
  int threads = 1;              // decoding threads
  bool verify_crc = true;
  bool skip_corrupt = false;
  // One pass: what the page cache does not hold is read around it (data::DatasetConfig). Passes
  // that repeat over data the cache could keep (the trainer's validation) turn it off.
  bool direct_reads = true;
  // Names the data in the line reported for each damaged record skipped.
  std::string data_name = "data";
  // Where skips are reported; nullptr: a report of this pass alone. The trainer passes one that
  // lives across its evaluations, so a damaged record is reported once, not at every evaluation.
  data::SkipReport* skip_report = nullptr;
};

struct EvalResult {
  metrics::MetricResults metrics;
  int64_t videos = 0;
  uint64_t record_bytes = 0;  // TFRecord bytes of the videos evaluated
  uint64_t skipped_records = 0;  // damaged records skipped in this pass (skip_corrupt), reported on stderr
  uint64_t skipped_bytes = 0;    // file bytes they left unread in this pass
  double seconds = 0;
  double videos_per_second = 0;
  double megabytes_per_second = 0;  // record bytes, in 10^6 bytes per second
};

// `backend` has `plan` (an inference plan) bound, its parameters loaded and its prologue run.
// Throws data::DataError for unreadable data, std::runtime_error when not one video could be read
// (naming the first damaged record skipped, if any): metrics of nothing are no result.
EvalResult evaluate(const plan::Plan& plan, runtime::Backend& backend, const EvalOptions& options);

// The buffer holding the plan's predictions (its first live-out value).
int prediction_buffer(const plan::Plan& plan);

}  // namespace ynet::train
