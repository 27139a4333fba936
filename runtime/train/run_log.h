#pragma once
// What a training run records as it goes, in its directory: metrics.jsonl (every logged value, one
// JSON object per line), a TensorBoard event file (events.out.tfevents.*) and curves.svg (loss and
// validation GAP / Hit@1 over samples, redrawn at each evaluation).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ynet::data {
class RecordWriter;
}

namespace ynet::train {

class RunLog {
 public:
  explicit RunLog(const std::string& dir);
  ~RunLog();

  // Scalars logged at a step: appended to metrics.jsonl and the event file.
  void log(const std::string& kind, int64_t step, int64_t samples, const std::map<std::string, double>& values);
  // Redraws curves.svg from everything logged so far.
  void draw_curves(const std::string& model);

  // Before resuming from the checkpoint of `step`: drops the rows of metrics.jsonl logged after it
  // (and a last line cut short by a kill), which the resumed run logs again, and cuts the event
  // files of earlier segments back to their last whole record.
  static void truncate(const std::string& dir, int64_t step);

 private:
  std::string dir_;
  std::unique_ptr<data::RecordWriter> events_;
  std::FILE* jsonl_ = nullptr;
  std::vector<double> loss_samples_, loss_values_, eval_samples_, eval_gap_, eval_hit1_;
};

}  // namespace ynet::train
