#include "runtime/train/run_log.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runtime/data/record_reader.h"
#include "runtime/data/record_writer.h"
#include "runtime/metrics/json.h"
#include "runtime/report/svg_chart.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/event.pb.h"

namespace ynet::train {
namespace {

double wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

RunLog::RunLog(const std::string& dir) : dir_(dir) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  const std::string events = (std::filesystem::path(dir) /
                              fmt::format("events.out.tfevents.{}.{}", static_cast<int64_t>(wall_time()), host)).string();
  events_ = std::make_unique<data::RecordWriter>(events);
  eventpb::Event first;
  first.set_wall_time(wall_time());
  first.set_file_version("brain.Event:2");
  events_->write(first.SerializeAsString());
  events_->flush();
  const std::string jsonl = (std::filesystem::path(dir) / "metrics.jsonl").string();
  jsonl_ = std::fopen(jsonl.c_str(), "a");
  if (!jsonl_) throw std::runtime_error(fmt::format("cannot write '{}'", jsonl));
}

RunLog::~RunLog() {
  if (jsonl_) std::fclose(jsonl_);
  if (events_) {
    try {
      events_->close();
    } catch (const std::exception&) {
      // A failing close at shutdown must not turn into a crash; the metrics file has the values.
    }
  }
}

void RunLog::log(const std::string& kind, int64_t step, int64_t samples, const std::map<std::string, double>& values) {
  std::string line = fmt::format("{{\"kind\": \"{}\", \"step\": {}, \"samples\": {}, \"time\": {:.3f}", kind, step,
                                 samples, wall_time());
  eventpb::Event event;
  event.set_wall_time(wall_time());
  event.set_step(step);
  for (const auto& [name, value] : values) {
    line += ", ";
    metrics::append_json_string(line, name);
    line += std::isfinite(value) ? fmt::format(": {}", value) : std::string(": null");
    eventpb::SummaryValue* v = event.mutable_summary()->add_value();
    v->set_tag(kind + "/" + name);
    v->set_simple_value(static_cast<float>(value));
  }
  line += "}\n";
  std::fputs(line.c_str(), jsonl_);
  std::fflush(jsonl_);
  events_->write(event.SerializeAsString());
  // A killed run leaves whole event records behind (TensorBoard skips a file that ends in half a
  // record): logging happens every few seconds at most, so a flush each time costs nothing.
  events_->flush();
  if (kind == "train" && values.count("loss")) {
    loss_samples_.push_back(static_cast<double>(samples));
    loss_values_.push_back(values.at("loss"));
  }
  if (kind == "eval" && values.count("gap")) {
    eval_samples_.push_back(static_cast<double>(samples));
    eval_gap_.push_back(values.at("gap"));
    eval_hit1_.push_back(values.count("hit_at_1") ? values.at("hit_at_1") : NAN);
  }
}

void RunLog::truncate(const std::string& dir, int64_t step) {
  const std::string path = (std::filesystem::path(dir) / "metrics.jsonl").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  std::string kept, line;
  bool changed = false;
  while (std::getline(in, line)) {
    const size_t at = line.find("\"step\": ");
    const bool complete = !in.eof() && at != std::string::npos;
    if (complete && std::strtoll(line.c_str() + at + 8, nullptr, 10) <= step) {
      kept += line + "\n";
    } else {
      changed = true;
    }
  }
  if (changed) write_file_atomically(path, kept);
  in.close();

  // Event files of killed segments: cut a partial last record, and remove a file that holds no
  // whole record (TensorBoard stops reading a file at the first bad record).
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) != 0) continue;
    const std::string events = entry.path().string();
    uint64_t whole = 0;
    try {
      data::RecordReader reader(events, {data::Compression::kNone, true});
      std::string_view record;
      while (reader.next(record)) whole = reader.record_offset() + record.size() + data::kRecordFraming;
    } catch (const data::DataError&) {
      // Stop at the first damage: what lies before it is kept.
    }
    std::filesystem::resize_file(events, whole, ec);
    if (whole == 0) std::filesystem::remove(events, ec);
  }
}

void RunLog::draw_curves(const std::string& model) {
  report::LineChart loss;
  loss.title = model + ": training loss";
  loss.x_label = "samples";
  loss.y_label = "loss";
  loss.series.push_back({"loss", loss_samples_, loss_values_, ""});
  report::LineChart eval;
  eval.title = model + ": validation";
  eval.x_label = "samples";
  eval.y_label = "GAP, Hit@1";
  eval.y_min = 0;
  eval.y_max = 1;
  eval.series.push_back({"GAP", eval_samples_, eval_gap_, ""});
  eval.series.push_back({"Hit@1", eval_samples_, eval_hit1_, ""});
  // Two charts stacked in one file: nested <svg> elements keep their own coordinates.
  const std::string top = report::render_svg(loss), bottom = report::render_svg(eval);
  const std::string doc = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\">\n"
      "<g>{2}</g>\n<g transform=\"translate(0,{3})\">{4}</g>\n</svg>\n",
      loss.width, loss.height + eval.height, top, loss.height, bottom);
  write_file_atomically((std::filesystem::path(dir_) / "curves.svg").string(), doc);
}

}  // namespace ynet::train
