#include <fmt/format.h>

#include "plan/emit/emit.h"

namespace ynet::emit {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string attr_json(const ir::AttrValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return quote(v); }
    std::string operator()(const std::vector<int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
    std::string operator()(const std::vector<double>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
  };
  return std::visit(Visitor{}, value);
}

template <typename Map>
std::string number_map(const Map& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    out += fmt::format("{}{}: {}", first ? "" : ", ", quote(k), v);
    first = false;
  }
  return out + "}";
}

}  // namespace

std::string json(const plan::Plan& plan) {
  const plan::PlanMeta& m = plan.meta;
  std::string out = "{\n";
  out += fmt::format("  \"format_version\": {},\n", plan::kPlanFormatVersion);
  out += fmt::format("  \"model\": {}, \"mode\": {}, \"batch\": {}, \"max_frames\": {}, \"skip_frames\": {},\n",
                     quote(m.model), quote(plan::to_string(m.mode)), m.batch, m.max_frames, m.skip_frames);
  out += fmt::format("  \"level\": {}, \"normalize\": {}, \"classes\": {}, \"features\": [", quote(m.level),
                     quote(m.normalize), m.classes);
  for (size_t i = 0; i < m.features.size(); ++i)
    out += fmt::format("{}{{\"name\": {}, \"size\": {}}}", i ? ", " : "", quote(m.features[i].name), m.features[i].size);
  out += "],\n";
  out += fmt::format("  \"optimizer\": {{\"name\": {}, \"args\": {}, \"clip_norm\": {}, \"clip\": {}}},\n",
                     quote(m.optimizer.name), number_map(m.optimizer.args), m.optimizer.clip_norm, quote(m.optimizer.clip));
  out += fmt::format("  \"schedule\": {{\"name\": {}, \"args\": {}}}, \"train_steps\": {}, \"eval_every\": {}, \"seed\": {},\n",
                     quote(m.schedule), number_map(m.schedule_args), m.steps, m.eval_every, m.seed);
  out += "  \"steps\": [\n";
  for (size_t i = 0; i < plan.graph.nodes.size(); ++i) {
    const ir::Node& n = plan.graph.nodes[i];
    std::string attrs = "{";
    bool first = true;
    for (const auto& [k, v] : n.attrs) {
      attrs += fmt::format("{}{}: {}", first ? "" : ", ", quote(k), attr_json(v));
      first = false;
    }
    attrs += "}";
    out += fmt::format("    {{\"index\": {}, \"op\": {}, \"phase\": {}, \"layer\": {}, \"inputs\": [{}], \"outputs\": [{}], "
                       "\"flops\": {}, \"attrs\": {}}}{}\n",
                       i, quote(n.op), quote(ir::to_string(n.phase)), quote(n.layer), fmt::join(n.inputs, ", "),
                       fmt::join(n.outputs, ", "), n.flops, attrs, i + 1 < plan.graph.nodes.size() ? "," : "");
  }
  out += "  ],\n  \"buffers\": [\n";
  for (const ir::Value& v : plan.graph.values) {
    const auto& life = plan.memory.lifetime[static_cast<size_t>(v.id)];
    out += fmt::format("    {{\"id\": {}, \"name\": {}, \"shape\": [{}], \"dtype\": {}, \"kind\": {}, \"offset\": {}, "
                       "\"bytes\": {}, \"first_step\": {}, \"last_step\": {}}}{}\n",
                       v.id, quote(v.name), fmt::join(v.shape, ", "), quote(ir::to_string(v.dtype)),
                       quote(ir::to_string(v.kind)), plan.memory.offset[static_cast<size_t>(v.id)], v.bytes(), life.first,
                       life.last, v.id + 1 < static_cast<int>(plan.graph.values.size()) ? "," : "");
  }
  out += "  ],\n  \"params\": [\n";
  for (size_t i = 0; i < plan.graph.params.size(); ++i) {
    const ir::ParamEntry& p = plan.graph.params[i];
    out += fmt::format("    {{\"name\": {}, \"buffer\": {}, \"grad\": {}, \"state\": [{}], \"init\": {}, \"fan_in\": {}, "
                       "\"fan_out\": {}, \"trainable\": {}}}{}\n",
                       quote(p.name), p.value, p.grad, fmt::join(p.state, ", "), quote(p.init), p.fan_in, p.fan_out,
                       p.trainable ? "true" : "false", i + 1 < plan.graph.params.size() ? "," : "");
  }
  out += "  ],\n  \"state\": [\n";
  for (size_t i = 0; i < plan.graph.state.size(); ++i) {
    const ir::StateEntry& s = plan.graph.state[i];
    out += fmt::format("    {{\"name\": {}, \"buffer\": {}, \"init\": {}}}{}\n", quote(s.name), s.value, quote(s.init),
                       i + 1 < plan.graph.state.size() ? "," : "");
  }
  const auto& mem = plan.memory;
  std::map<std::string, int64_t> by_kind, peak_by_kind;
  for (const auto& [k, b] : mem.bytes_by_kind) by_kind[ir::to_string(k)] = b;
  for (const auto& [k, b] : mem.peak_by_kind) peak_by_kind[ir::to_string(k)] = b;
  out += fmt::format("  ],\n  \"live_out\": [{}], \"loss\": {},\n", fmt::join(plan.graph.live_out, ", "), plan.graph.loss);
  out += fmt::format("  \"memory\": {{\"persistent_bytes\": {}, \"transient_bytes\": {}, \"arena_bytes\": {}, "
                     "\"naive_bytes\": {}, \"peak_live_bytes\": {}, \"peak_step\": {}, \"workspace_bytes\": {}, \"bytes_by_kind\": {}, "
                     "\"peak_by_kind\": {}}},\n",
                     mem.persistent_bytes, mem.transient_bytes, mem.arena_bytes, mem.naive_bytes, mem.peak_live_bytes,
                     mem.peak_step, mem.workspace_bytes, number_map(by_kind), number_map(peak_by_kind));
  out += fmt::format("  \"flops\": {{\"forward\": {}, \"loss\": {}, \"backward\": {}, \"optimizer\": {}}},\n",
                     plan.flops(ir::Phase::Forward), plan.flops(ir::Phase::Loss), plan.flops(ir::Phase::Backward),
                     plan.flops(ir::Phase::Optimizer));
  out += fmt::format("  \"parameters\": {{\"trainable\": {}, \"total\": {}}}\n}}\n", plan.parameter_count(true),
                     plan.parameter_count(false));
  return out;
}

}  // namespace ynet::emit
