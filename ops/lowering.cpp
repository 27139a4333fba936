#include "ops/lowering.h"

#include "ops/all_ops.h"

#include <fmt/format.h>

#include <stdexcept>

#define YNET_DECLARE_LOWERING(name, def, lower, steps) \
  YNET_IF_PART(lower, namespace ynet::ops::name { OpLowering lowering(); })
YNET_OPS(YNET_DECLARE_LOWERING)
#undef YNET_DECLARE_LOWERING

namespace ynet::ops {
namespace {

struct Tables {
  std::map<std::string, OpLowering> by_layer;
  std::map<std::string, GradRule> by_step;
};

const Tables& tables() {
  static const Tables t = [] {
    Tables out;
    auto add = [&](const OpLowering& l) {
      for (const auto& [step, rule] : l.grads) out.by_step.emplace(step, rule);
      for (const auto& name : l.layer_ops) out.by_layer.emplace(name, l);
    };
#define YNET_ADD_LOWERING(name, def, lower, steps) YNET_IF_PART(lower, add(name::lowering());)
    YNET_OPS(YNET_ADD_LOWERING)
#undef YNET_ADD_LOWERING
    return out;
  }();
  return t;
}

// Glorot and orthogonal initialisers need the fans; stacked expert weights [E, in, out] share the
// fans of one expert.
std::pair<int64_t, int64_t> fans(const std::vector<int64_t>& shape) {
  if (shape.empty()) return {1, 1};
  if (shape.size() == 1) return {shape[0], shape[0]};
  return {shape[shape.size() - 2], shape.back()};
}

}  // namespace

std::map<std::string, int> add_params(ir::Graph& g, const std::string& prefix, const std::vector<ParamInfo>& params) {
  std::map<std::string, int> out;
  for (const ParamInfo& p : params) {
    const std::string name = prefix + "." + p.name;
    const int v = g.add_value(name, p.shape, p.trainable ? ir::BufferKind::Param : ir::BufferKind::ModelState);
    if (p.trainable) {
      ir::ParamEntry e;
      e.name = name;
      e.value = v;
      e.init = p.init;
      std::tie(e.fan_in, e.fan_out) = fans(p.shape);
      g.params.push_back(std::move(e));
    } else {
      g.state.push_back({name, v, p.init});
    }
    out[p.name] = v;
  }
  return out;
}

std::vector<int64_t> LowerContext::concrete(const Shape& shape) const {
  std::vector<int64_t> out;
  for (const Dim& d : shape) {
    switch (d.kind) {
      case Dim::Kind::Batch: out.push_back(batch); break;
      case Dim::Kind::Time: out.push_back(max_frames); break;
      case Dim::Kind::Const: out.push_back(d.value); break;
    }
  }
  return out;
}

int LowerContext::add_value(const std::string& suffix, std::vector<int64_t> shape, ir::BufferKind kind, ir::DType dtype) {
  return graph.add_value(suffix.empty() ? layer.name : layer.name + "." + suffix, std::move(shape), kind, dtype);
}

void LowerContext::emit(ir::Node node) {
  if (node.layer.empty()) node.layer = layer.name;
  graph.add_node(std::move(node));
}

int LowerContext::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end())
    throw std::logic_error(fmt::format("layer '{}' ({}) has no parameter '{}'", layer.name, layer.op, name));
  return it->second;
}

const OpLowering* find_lowering(const std::string& layer_op) {
  auto it = tables().by_layer.find(layer_op);
  return it == tables().by_layer.end() ? nullptr : &it->second;
}

const GradRule* find_grad_rule(const std::string& step_op) {
  auto it = tables().by_step.find(step_op);
  return it == tables().by_step.end() ? nullptr : &it->second;
}

}  // namespace ynet::ops
