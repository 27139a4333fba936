#include "compiler/sema/summary.h"

#include <algorithm>

#include <fmt/format.h>

namespace ynet::sema {

std::string with_thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

struct Row {
  std::string layer, op, shape, params, state;
};

int64_t count(const std::vector<ParamInfo>& params, bool trainable) {
  int64_t n = 0;
  for (const ParamInfo& p : params) {
    if (p.trainable != trainable) continue;
    int64_t size = 1;
    for (int64_t d : p.shape) size *= d;
    n += size;
  }
  return n;
}

void collect(const std::vector<LayerNode>& nodes, const std::string& indent, std::vector<Row>& rows) {
  for (const LayerNode& n : nodes) {
    int64_t trainable = count(n.params, true), state = count(n.params, false);
    rows.push_back({indent + n.name, n.op, ops::shape_to_string(n.shape), with_thousands(trainable),
                    state > 0 ? with_thousands(state) : ""});
    for (const SubNetwork& sub : n.subnetworks) {
      std::string note = sub.replicas > 1 ? fmt::format(" (x{}, parameters stacked)", sub.replicas) : "";
      rows.push_back({indent + "  " + sub.arg + ":" + note, "", "", "", ""});
      collect(sub.nodes, indent + "    ", rows);
    }
  }
}

std::string config_text(const NamedConfig& c) {
  std::string args;
  for (const auto& [key, value] : c.args) {
    args += fmt::format("{}{}: {}", args.empty() ? "" : ", ", key, ops::attr_to_string(value));
  }
  return fmt::format("{}({})", c.name, args);
}

}  // namespace

std::string format_summary(const CheckedModel& m) {
  std::vector<Row> rows{{"layer", "op", "output shape", "params", "state"}};
  collect(m.nodes, "", rows);
  size_t w[4] = {0, 0, 0, 0};
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.layer.size());
    w[1] = std::max(w[1], r.op.size());
    w[2] = std::max(w[2], r.shape.size());
    w[3] = std::max(w[3], r.params.size());
  }
  std::string out = fmt::format("model {} ({})\n", m.name, m.source_path);
  for (const Row& r : rows) {
    std::string line = fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>{}}  {}", r.layer, w[0], r.op, w[1], r.shape, w[2],
                                   r.params, w[3], r.state);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  const int64_t trainable = m.trainable_params(), state = m.non_trainable_params();
  out += fmt::format("trainable parameters:     {:>15}\n", with_thousands(trainable));
  out += fmt::format("non-trainable (state):    {:>15}\n", with_thousands(state));
  out += fmt::format("total:                    {:>15}\n", with_thousands(trainable + state));
  const TrainConfig& t = m.train;
  if (t.declared) {
    out += fmt::format("train: batch {}, {} steps, {}, {}, clip_norm {:g} ({}), eval every {} steps, seed {}\n",
                       t.batch, t.steps, config_text(t.optimizer), config_text(t.schedule), t.clip_norm, t.clip,
                       t.eval_every, t.seed);
  }
  return out;
}

}  // namespace ynet::sema
