#include "ops/support/lower_support.h"

namespace ynet::ops {

ir::Attrs layer_attrs(const LayerNode& layer) {
  ir::Attrs attrs;
  for (const auto& [key, value] : layer.attrs)
    attrs[key] = std::visit([](const auto& v) -> ir::AttrValue { return v; }, value);
  attrs["training"] = true;
  return attrs;
}

ir::Node forward_step(const LowerContext& ctx, std::string op, std::vector<int> inputs, std::vector<int> outputs,
                      int64_t flops) {
  ir::Node n;
  n.op = std::move(op);
  n.phase = ir::Phase::Forward;
  n.attrs = layer_attrs(ctx.layer);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.flops = flops;
  n.layer = ctx.layer.name;
  return n;
}

Part whole_layer(const LowerContext& ctx) { return {"", layer_attrs(ctx.layer)}; }

Part layer_part(std::string name, ir::Attrs attrs) {
  attrs["training"] = true;
  return {std::move(name), std::move(attrs)};
}

int part_value(LowerContext& ctx, const Part& part, const std::string& suffix, std::vector<int64_t> shape,
               ir::BufferKind kind) {
  const std::string name = part.name.empty() ? suffix : suffix.empty() ? part.name : part.name + "/" + suffix;
  return ctx.add_value(name, std::move(shape), kind);
}

ir::Node part_step(const LowerContext& ctx, const Part& part, std::string op, std::vector<int> inputs,
                   std::vector<int> outputs, int64_t flops) {
  ir::Node n = forward_step(ctx, std::move(op), std::move(inputs), std::move(outputs), flops);
  n.attrs = part.attrs;
  if (!part.name.empty()) n.layer = ctx.layer.name + "/" + part.name;
  return n;
}

int64_t last_dim(const ir::Value& v) { return v.shape.empty() ? 1 : v.shape.back(); }

int64_t rows(const ir::Value& v) { return v.elements() / std::max<int64_t>(last_dim(v), 1); }

GradRule standard_grad(std::vector<int> needed_inputs, std::vector<int> needed_outputs, double flops_factor) {
  return [needed_inputs, needed_outputs, flops_factor](const ir::Node& fwd, GradContext& ctx) {
    std::vector<bool> in(fwd.inputs.size(), false), out(fwd.outputs.size(), false);
    for (int i : needed_inputs)
      if (static_cast<size_t>(i) < in.size()) in[static_cast<size_t>(i)] = true;
    for (int i : needed_outputs)
      if (static_cast<size_t>(i) < out.size()) out[static_cast<size_t>(i)] = true;
    emit_standard_grad(fwd, ctx, in, out, static_cast<int64_t>(flops_factor * static_cast<double>(fwd.flops)));
  };
}

}  // namespace ynet::ops
