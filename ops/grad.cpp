#include "ops/grad.h"

#include <fmt/format.h>

#include <stdexcept>

namespace ynet::ops {

GradContext::GradContext(ir::Graph& graph)
    : graph_(graph), grad_(graph.values.size(), -1), needs_grad_(graph.values.size(), false) {
  for (const ir::ParamEntry& p : graph.params)
    if (p.trainable) needs_grad_[static_cast<size_t>(p.value)] = true;
  for (const ir::Node& node : graph.nodes) {
    bool any = false;
    for (int v : node.inputs)
      if (v >= 0 && needs_grad_[static_cast<size_t>(v)]) any = true;
    if (!any) continue;
    for (int v : node.outputs)
      if (v >= 0 && !graph.value(v).persistent() && graph.value(v).dtype == ir::DType::F32)
        needs_grad_[static_cast<size_t>(v)] = true;
  }
}

bool GradContext::needs_grad(int value) const {
  return value >= 0 && static_cast<size_t>(value) < needs_grad_.size() && needs_grad_[static_cast<size_t>(value)];
}

int GradContext::grad(int value) const {
  if (value < 0 || static_cast<size_t>(value) >= grad_.size()) return -1;
  return grad_[static_cast<size_t>(value)];
}

int GradContext::make_grad(int value) {
  if (!needs_grad(value)) return -1;
  const ir::Value& v = graph_.value(value);
  const bool is_param = v.kind == ir::BufferKind::Param;
  const ir::BufferKind kind = is_param ? ir::BufferKind::ParamGrad : ir::BufferKind::Gradient;
  const int existing = grad_[static_cast<size_t>(value)];
  const std::string name = existing < 0 ? "d" + v.name : fmt::format("d{}.part{}", v.name, pending_.size() + 1);
  const std::vector<int64_t> shape = v.shape;
  const int g = graph_.add_value(name, shape, kind);
  grad_.push_back(-1);
  needs_grad_.push_back(false);
  if (existing < 0) {
    grad_[static_cast<size_t>(value)] = g;
  } else {
    pending_.emplace_back(value, g);
  }
  return g;
}

void GradContext::seed(int value, int grad_value) { grad_[static_cast<size_t>(value)] = grad_value; }

void GradContext::emit(ir::Node node) {
  node.phase = ir::Phase::Backward;
  graph_.add_node(std::move(node));
  for (const auto& [value, part] : pending_) {
    const int before = grad_[static_cast<size_t>(value)];
    // Copies: adding a value may move every value of the graph.
    const std::string name = graph_.value(value).name;
    const std::vector<int64_t> shape = graph_.value(value).shape;
    const ir::BufferKind kind = graph_.value(before).kind;
    const int sum = graph_.add_value(fmt::format("d{}.sum{}", name, part), shape, kind);
    grad_.push_back(-1);
    needs_grad_.push_back(false);
    ir::Node add;
    add.op = "AddGrad";
    add.phase = ir::Phase::Backward;
    add.inputs = {before, part};
    add.outputs = {sum};
    add.flops = graph_.value(sum).elements();
    add.layer = name;
    graph_.add_node(std::move(add));
    grad_[static_cast<size_t>(value)] = sum;
  }
  pending_.clear();
}

void emit_standard_grad(const ir::Node& forward, GradContext& ctx, const std::vector<bool>& needs_inputs,
                        const std::vector<bool>& needs_outputs, int64_t flops) {
  bool any_grad_in = false;
  for (int out : forward.outputs)
    if (ctx.grad(out) >= 0) any_grad_in = true;
  if (!any_grad_in) return;
  bool any_grad_out = false;
  for (int in : forward.inputs)
    if (ctx.needs_grad(in)) any_grad_out = true;
  if (!any_grad_out) return;

  ir::Node node;
  node.op = forward.op + ".grad";
  node.attrs = forward.attrs;
  node.attrs["forward_inputs"] = static_cast<int64_t>(forward.inputs.size());
  node.attrs["forward_outputs"] = static_cast<int64_t>(forward.outputs.size());
  node.layer = forward.layer;
  node.flops = flops;
  for (size_t i = 0; i < forward.inputs.size(); ++i)
    node.inputs.push_back(i < needs_inputs.size() && needs_inputs[i] ? forward.inputs[i] : -1);
  for (size_t i = 0; i < forward.outputs.size(); ++i)
    node.inputs.push_back(i < needs_outputs.size() && needs_outputs[i] ? forward.outputs[i] : -1);
  for (int out : forward.outputs) node.inputs.push_back(ctx.grad(out));
  for (int in : forward.inputs) node.outputs.push_back(ctx.make_grad(in));
  ctx.emit(std::move(node));
}

}  // namespace ynet::ops
