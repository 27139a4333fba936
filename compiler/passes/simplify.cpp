#include "compiler/passes/simplify.h"

#include <algorithm>
#include <set>

namespace ynet::passes {
namespace {

std::vector<int> reader_count(const ir::Graph& graph) {
  std::vector<int> readers(graph.values.size(), 0);
  for (const ir::Node& n : graph.nodes)
    for (int v : n.inputs)
      if (v >= 0) ++readers[static_cast<size_t>(v)];
  for (int v : graph.live_out) ++readers[static_cast<size_t>(v)];
  return readers;
}

void replace_input(ir::Graph& graph, int from, int to) {
  for (ir::Node& n : graph.nodes)
    for (int& v : n.inputs)
      if (v == from) v = to;
  for (int& v : graph.live_out)
    if (v == from) v = to;
}

}  // namespace

int eliminate_dead_steps(ir::Graph& graph) {
  int removed = 0;
  bool changed = true;
  while (changed) {
    changed = false;
    const std::vector<int> readers = reader_count(graph);
    for (size_t i = graph.nodes.size(); i-- > 0;) {
      const ir::Node& n = graph.nodes[i];
      bool needed = false;
      for (int v : n.outputs)
        if (v >= 0 && (readers[static_cast<size_t>(v)] > 0 || graph.value(v).persistent())) needed = true;
      if (!needed) {
        graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        ++removed;
        changed = true;
        break;
      }
    }
  }
  return removed;
}

int prune_for_inference(ir::Graph& graph) {
  int changes = 0;
  std::vector<ir::Node> kept;
  for (ir::Node& n : graph.nodes) {
    if (n.op == "Dropout") {
      replace_input(graph, n.outputs[0], n.inputs[0]);
      ++changes;
      continue;
    }
    if (n.phase == ir::Phase::Loss) {
      ++changes;
      continue;
    }
    if (n.phase == ir::Phase::Forward && ir::attr_bool(n.attrs, "training", false)) {
      // Kernels read this flag: BatchNorm switches to moving statistics, MoE gating drops its noise,
      // LSTM stacks stop dropping units between layers.
      n.attrs["training"] = false;
      ++changes;
    }
    if (n.op == "BatchNorm") {
      n.outputs.resize(1);  // inference writes y only, not the statistics,
      if (n.inputs.size() > 5) n.inputs.resize(5);  // and normalises with the moving ones: no lengths
    }
    kept.push_back(std::move(n));
  }
  graph.nodes = std::move(kept);
  graph.loss = -1;
  std::erase_if(graph.live_out, [&](int v) { return graph.value(v).kind == ir::BufferKind::Scalar; });
  return changes;
}

int fuse_dense_activation(ir::Graph& graph) {
  int fused = 0;
  for (size_t i = 0; i + 1 < graph.nodes.size(); ++i) {
    ir::Node& dense = graph.nodes[i];
    if (dense.op != "Dense" || ir::attr_string(dense.attrs, "activation", "none") != "none") continue;
    const int y = dense.outputs[0];
    const std::vector<int> readers = reader_count(graph);
    if (readers[static_cast<size_t>(y)] != 1) continue;
    for (size_t j = i + 1; j < graph.nodes.size(); ++j) {
      ir::Node& act = graph.nodes[j];
      if (std::find(act.inputs.begin(), act.inputs.end(), y) == act.inputs.end()) continue;
      if (act.op != "Activation") break;
      dense.attrs["activation"] = ir::attr_string(act.attrs, "kind", "none");
      dense.flops += act.flops;
      dense.outputs[0] = act.outputs[0];
      graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(j));
      ++fused;
      break;
    }
  }
  return fused;
}

int fold_batchnorm_into_dense(ir::Graph& graph) {
  int folded = 0;
  for (size_t i = 0; i + 1 < graph.nodes.size(); ++i) {
    ir::Node& dense = graph.nodes[i];
    if (dense.op != "Dense" || dense.phase != ir::Phase::Forward) continue;
    if (ir::attr_string(dense.attrs, "activation", "none") != "none") continue;
    const int y = dense.outputs[0];
    const std::vector<int> readers = reader_count(graph);
    if (readers[static_cast<size_t>(y)] != 1) continue;
    size_t j = i + 1;
    while (j < graph.nodes.size() &&
           std::find(graph.nodes[j].inputs.begin(), graph.nodes[j].inputs.end(), y) == graph.nodes[j].inputs.end())
      ++j;
    if (j == graph.nodes.size()) continue;
    const ir::Node bn = graph.nodes[j];
    if (bn.op != "BatchNorm" || ir::attr_bool(bn.attrs, "training", true)) continue;

    // BatchNorm inputs: x, gamma, beta, moving_mean, moving_variance. Dense inputs: x, W[, b].
    const int w = dense.inputs[1];
    const std::string base = dense.layer;
    const int w_folded = graph.add_value(base + ".W_folded", graph.value(w).shape, ir::BufferKind::ModelState);
    const int b_folded = graph.add_value(base + ".b_folded", {graph.value(w).shape.back()}, ir::BufferKind::ModelState);
    graph.state.push_back({base + ".W_folded", w_folded, "derived"});
    graph.state.push_back({base + ".b_folded", b_folded, "derived"});

    ir::Node prologue;
    prologue.op = "FoldBatchNorm";
    prologue.phase = ir::Phase::Prologue;
    prologue.attrs = bn.attrs;
    prologue.inputs = {w, dense.inputs.size() > 2 ? dense.inputs[2] : -1, bn.inputs[1], bn.inputs[2], bn.inputs[3], bn.inputs[4]};
    prologue.outputs = {w_folded, b_folded};
    prologue.flops = 2 * graph.value(w).elements();
    prologue.layer = bn.layer;

    ir::Node& d = graph.nodes[i];
    d.inputs = {d.inputs[0], w_folded, b_folded};
    d.outputs[0] = bn.outputs[0];
    graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(j));
    graph.nodes.insert(graph.nodes.begin(), std::move(prologue));
    ++folded;
    ++i;
  }
  return folded;
}

int fold_batchnorm_into_pooling(ir::Graph& graph) {
  int folded = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& bn = graph.nodes[i];
    if (bn.op != "BatchNorm" || bn.phase != ir::Phase::Forward || ir::attr_bool(bn.attrs, "training", true)) continue;
    const int y = bn.outputs[0];
    if (reader_count(graph)[static_cast<size_t>(y)] != 1) continue;
    const auto pooling = std::find_if(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i) + 1, graph.nodes.end(),
                                      [&](const ir::Node& n) { return n.op == "FramePooling" && n.inputs[0] == y; });
    if (pooling == graph.nodes.end() || pooling->inputs.size() != 2) continue;

    // BatchNorm inputs: x, gamma, beta, moving_mean, moving_variance.
    const std::vector<int64_t> features = {graph.value(bn.inputs[3]).shape.back()};
    const int scale = graph.add_value(bn.layer + ".scale", features, ir::BufferKind::ModelState);
    const int shift = graph.add_value(bn.layer + ".shift", features, ir::BufferKind::ModelState);
    graph.state.push_back({bn.layer + ".scale", scale, "derived"});
    graph.state.push_back({bn.layer + ".shift", shift, "derived"});

    ir::Node prologue;
    prologue.op = "FoldBatchNorm";
    prologue.phase = ir::Phase::Prologue;
    prologue.attrs = bn.attrs;
    prologue.inputs = {-1, -1, bn.inputs[1], bn.inputs[2], bn.inputs[3], bn.inputs[4]};
    prologue.outputs = {scale, shift};
    prologue.flops = 4 * features[0];
    prologue.layer = bn.layer;

    pooling->inputs = {bn.inputs[0], pooling->inputs[1], scale, shift};
    pooling->flops *= 3;  // a multiply and an add per pooled element
    graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    graph.nodes.insert(graph.nodes.begin(), std::move(prologue));
    ++folded;
  }
  return folded;
}

void compact_values(ir::Graph& graph) {
  std::set<int> keep(graph.live_out.begin(), graph.live_out.end());
  for (const ir::Node& n : graph.nodes) {
    for (int v : n.inputs) if (v >= 0) keep.insert(v);
    for (int v : n.outputs) if (v >= 0) keep.insert(v);
  }
  for (const ir::Value& v : graph.values)
    if (v.persistent() && v.kind != ir::BufferKind::Input) keep.insert(v.id);
  std::vector<int> remap(graph.values.size(), -1);
  std::vector<ir::Value> values;
  for (const ir::Value& v : graph.values) {
    if (!keep.count(v.id)) continue;
    remap[static_cast<size_t>(v.id)] = static_cast<int>(values.size());
    values.push_back(v);
    values.back().id = static_cast<int>(values.size()) - 1;
  }
  auto map = [&](int& v) { if (v >= 0) v = remap[static_cast<size_t>(v)]; };
  for (ir::Node& n : graph.nodes) {
    for (int& v : n.inputs) map(v);
    for (int& v : n.outputs) map(v);
  }
  for (ir::ParamEntry& p : graph.params) {
    map(p.value);
    map(p.grad);
    for (int& s : p.state) map(s);
  }
  for (ir::StateEntry& s : graph.state) map(s.value);
  for (int& v : graph.live_out) map(v);
  map(graph.loss);
  graph.values = std::move(values);
}

}  // namespace ynet::passes
