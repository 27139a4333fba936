#include "compiler/passes/optimizer.h"

#include <stdexcept>

#include "ops/registry.h"

namespace ynet::passes {

std::vector<std::pair<std::string, std::string>> optimizer_slots(const OptimizerConfig& config) {
  // Each optimizer declares its slots beside its update (ops/optim/<name>/def.cpp).
  const ops::OpDef* def = ops::find_op(config.name);
  if (def == nullptr || !def->optimizer_slots) throw std::invalid_argument("unknown optimizer '" + config.name + "'");
  return def->optimizer_slots(config.args);
}

void append_optimizer(ir::Graph& graph, const OptimizerConfig& config) {
  const auto slots = optimizer_slots(config);
  std::vector<int> grads;
  for (const ir::ParamEntry& p : graph.params)
    if (p.trainable && p.grad >= 0) grads.push_back(p.grad);

  if (config.clip_norm > 0 && !grads.empty()) {
    ir::Node clip;
    clip.op = config.clip == "global" ? "ClipByGlobalNorm" : "ClipByNorm";
    clip.phase = ir::Phase::Optimizer;
    clip.attrs["clip_norm"] = config.clip_norm;
    clip.inputs = grads;
    clip.outputs = grads;  // in place
    for (int g : grads) clip.flops += 3 * graph.value(g).elements();
    if (config.clip == "global") {
      const int norm = graph.add_value("global_norm", {}, ir::BufferKind::Scalar);
      clip.outputs.push_back(norm);
      graph.live_out.push_back(norm);
    }
    clip.layer = "clip";
    graph.add_node(std::move(clip));
  }

  ir::Node update;
  update.op = config.name;
  update.phase = ir::Phase::Optimizer;
  for (const auto& [key, value] : config.args) update.attrs[key] = value;
  update.attrs["slots"] = static_cast<int64_t>(slots.size());
  update.layer = "optimizer";
  // Inputs per parameter: param, grad, slots...; outputs per parameter: param, slots... (in place).
  for (ir::ParamEntry& p : graph.params) {
    if (!p.trainable || p.grad < 0) continue;
    update.inputs.push_back(p.value);
    update.inputs.push_back(p.grad);
    update.outputs.push_back(p.value);
    for (const auto& [slot, init] : slots) {
      const int s = graph.add_value(p.name + "." + slot, graph.value(p.value).shape, ir::BufferKind::OptimizerState);
      graph.state.push_back({p.name + "." + slot, s, init});
      p.state.push_back(s);
      update.inputs.push_back(s);
      update.outputs.push_back(s);
    }
    update.flops += 6 * graph.value(p.value).elements();
  }
  if (!update.inputs.empty()) graph.add_node(std::move(update));
}

}  // namespace ynet::passes
