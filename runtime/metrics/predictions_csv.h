#pragma once
// The Kaggle submission format of the YouTube-8M challenge:
//   VideoId,LabelConfidencePairs
//   <id>,<label> <score> <label> <score> ...
// one row per video, the video's top-k classes by score (descending, ties to the lower class),
// scores with 6 decimals.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "runtime/io/output_file.h"
#include "runtime/metrics/top_k.h"

namespace ynet::metrics {

inline constexpr std::string_view kPredictionsHeader = "VideoId,LabelConfidencePairs";

// Writes through io::OutputFile: a regular (or new) file is written beside itself and renamed into
// place in finish(), so an interrupted or failed run never leaves a truncated file and never
// clobbers an existing one (destroying the writer without finish() removes the temporary); "-",
// a FIFO, a device or a symlink is written straight through.
class PredictionWriter {
 public:
  PredictionWriter(std::filesystem::path path, int num_classes, int top_k);
  ~PredictionWriter();
  PredictionWriter(const PredictionWriter&) = delete;
  PredictionWriter& operator=(const PredictionWriter&) = delete;

  // scores is [batch, num_classes] row-major, one id per row. Throws std::invalid_argument for an
  // id the format cannot carry (empty, or holding a comma, whitespace or a quote) or a NaN score,
  // before writing anything of the batch; std::runtime_error on a write failure.
  void add(const float* scores, std::span<const std::string> video_ids);

  // Flushes, syncs and renames into place. Throws std::runtime_error on failure.
  void finish();

  int64_t rows() const { return rows_; }

 private:
  void write_buffer();

  std::unique_ptr<io::OutputFile> file_;
  TopKSelector selector_;
  int top_k_;
  int64_t rows_ = 0;
  fmt::memory_buffer buffer_;
};

struct PredictionRow {
  std::string video_id;
  std::vector<std::pair<int32_t, float>> predictions;  // (label, score) in file order
  int line = 0;
};

// Parses a predictions CSV. Throws std::runtime_error "SOURCE:LINE: message" on a malformed
// header or row, or a repeated video id. Accepts CRLF line ends.
std::vector<PredictionRow> parse_predictions_csv(std::string_view text, std::string_view source_name);
std::vector<PredictionRow> read_predictions_csv(const std::filesystem::path& path);

}  // namespace ynet::metrics
