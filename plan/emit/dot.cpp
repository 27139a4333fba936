#include <fmt/format.h>

#include <map>
#include <set>

#include "plan/emit/emit.h"

namespace ynet::emit {
namespace {

std::string family_color(const std::string& op) {
  const std::string base = op.substr(0, op.find('.'));
  static const std::map<std::string, std::string> colors = {
      {"Dense", "#9ecae1"}, {"LSTM", "#fdae6b"}, {"MoE", "#fc9272"}, {"MoeClassifier", "#fc9272"},
      {"BatchNorm", "#a1d99b"}, {"Dropout", "#d9d9d9"}, {"FramePooling", "#bcbddc"},
      {"TimeWeightedSum", "#bcbddc"}, {"L2Normalize", "#c7e9c0"}, {"Activation", "#fee391"},
      {"Sigmoid", "#fee391"}, {"SigmoidCrossEntropy", "#fbb4b9"}, {"LossSum", "#fbb4b9"},
      {"AddGrad", "#f0f0f0"}, {"FoldBatchNorm", "#a1d99b"}};
  auto it = colors.find(base);
  if (it != colors.end()) return it->second;
  return "#e5d8bd";  // optimizer and clipping steps
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string dot(const plan::Plan& plan) {
  const ir::Graph& g = plan.graph;
  std::string out = fmt::format("digraph \"{}\" {{\n  rankdir=TB;\n  newrank=true;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                                "  edge [fontname=\"Helvetica\", fontsize=8];\n  labelloc=t; label=\"{} ({}, batch {})\";\n",
                                escape(plan.meta.model), escape(plan.meta.model), plan::to_string(plan.meta.mode),
                                plan.meta.batch);
  std::set<int> linked;
  std::map<int, int> producer;  // value -> last step writing it before a given read; built in order
  std::map<ir::Phase, std::vector<size_t>> by_phase;
  for (size_t i = 0; i < g.nodes.size(); ++i) by_phase[g.nodes[i].phase].push_back(i);
  for (const auto& [phase, steps] : by_phase) {
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"{}\"; style=rounded; color=\"#999999\";\n",
                       ir::to_string(phase), ir::to_string(phase));
    for (size_t i : steps) {
      const ir::Node& n = g.nodes[i];
      out += fmt::format("    s{} [shape=box, style=\"rounded,filled\", fillcolor=\"{}\", label=\"{}: {}\\n{}\\n{}\"];\n", i,
                         family_color(n.op), i, escape(n.op), escape(n.layer), flops(n.flops));
    }
    out += "  }\n";
  }
  for (const ir::ParamEntry& p : g.params) {
    const ir::Value& v = g.value(p.value);
    out += fmt::format("  v{} [shape=note, style=filled, fillcolor=\"#ffffff\", label=\"{}\\n{} ({})\"];\n", v.id,
                       escape(p.name), ir::format_shape(v.shape), bytes(v.bytes()));
  }
  for (const ir::Value& v : g.values)
    if (v.kind == ir::BufferKind::Input)
      out += fmt::format("  v{} [shape=invhouse, style=filled, fillcolor=\"#ffffff\", label=\"{}\\n{}\"];\n", v.id,
                         escape(v.name), ir::format_shape(v.shape));
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    for (int in : n.inputs) {
      if (in < 0) continue;
      const ir::Value& v = g.value(in);
      const std::string label = fmt::format("{} {}", escape(v.name), ir::format_shape(v.shape));
      auto it = producer.find(in);
      if (it != producer.end())
        out += fmt::format("  s{} -> s{} [label=\"{}\"];\n", it->second, i, label);
      else if ((v.kind == ir::BufferKind::Param || v.kind == ir::BufferKind::Input) && linked.insert(in).second)
        // Only to the first reader: edges from one node into several clusters trip Graphviz's ranking.
        out += fmt::format("  v{} -> s{} [style=dashed];\n", in, i);
    }
    for (int o : n.outputs)
      if (o >= 0) producer[o] = static_cast<int>(i);
  }
  out += "}\n";
  return out;
}

}  // namespace ynet::emit
