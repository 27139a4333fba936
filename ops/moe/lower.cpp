// The sparsely gated MoE layer as one plan step. Step "MoE": inputs (x [N..., F], lengths or -1,
// gate_weights [F, E], noise_weights [F, E] or -1, then per expert layer l: weights [E, in_l, out_l],
// bias [E, out_l] or -1), outputs (y, aux_loss (a scalar: w_importance CV(Importance)^2 +
// w_load CV(Load)^2, a training-loss term)). The gating values and expert activations the backward
// step needs stay in the kernel's workspace; workspace_bytes estimates it for the memory report.
// Attributes expert_units and expert_activations describe the expert network, one entry per layer.
// Rows are the valid frames of a sequence (padded frames give 0 and take no expert) or the videos.
#include <fmt/format.h>

#include <stdexcept>

#include "ops/support/lower_support.h"

namespace ynet::ops::moe {
namespace {

struct ExpertLayer {
  int64_t units = 0;
  std::string activation = "none";
  int weights = -1, bias = -1;
};

// The expert network as Dense layers; a standalone activation layer merges into the Dense before it.
std::vector<ExpertLayer> expert_layers(LowerContext& ctx, const SubNetwork& net) {
  std::vector<ExpertLayer> layers;
  for (const LayerNode& node : net.nodes) {
    if (node.op == "SubnetInput") continue;
    if (node.op == "Dense") {
      ExpertLayer l;
      const ir::Attrs attrs = layer_attrs(node);
      l.units = ir::attr_int(attrs, "units", 0);
      l.activation = ir::attr_string(attrs, "activation", "none");
      const auto params = add_params(ctx.graph, ctx.layer.name + ".expert." + node.name, node.params);
      l.weights = params.at("weights");
      l.bias = params.count("bias") ? params.at("bias") : -1;
      layers.push_back(l);
    } else if ((node.op == "Relu" || node.op == "Sigmoid" || node.op == "Tanh") && !layers.empty() &&
               layers.back().activation == "none") {
      std::string kind = node.op;
      for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      layers.back().activation = kind;
    } else {
      throw std::logic_error(fmt::format("MoE '{}': expert layer '{}' ({}) is not a Dense layer or an activation",
                                         ctx.layer.name, node.name, node.op));
    }
  }
  return layers;
}

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const ir::Value& xv = ctx.graph.value(x);
  const bool sequence = xv.shape.size() == 3;
  const ir::Attrs attrs = layer_attrs(ctx.layer);
  const int64_t experts = ir::attr_int(attrs, "experts", 1);
  const int64_t top_k = ir::attr_int(attrs, "top_k", 1);
  const int64_t n = rows(xv), features = last_dim(xv);
  if (ctx.layer.subnetworks.empty()) throw std::logic_error("MoE layer without an expert network");
  const std::vector<ExpertLayer> layers = expert_layers(ctx, ctx.layer.subnetworks.front());

  const int gate = ctx.param("gate_weights");
  const int noise = ctx.params.count("noise_weights") ? ctx.param("noise_weights") : -1;
  std::vector<int> inputs{x, sequence ? ctx.lengths : -1, gate, noise};
  std::vector<int64_t> units;
  std::vector<std::string> activations;
  int64_t expert_flops = 0, hidden_per_row = 0, in = features;
  for (const ExpertLayer& l : layers) {
    inputs.push_back(l.weights);
    inputs.push_back(l.bias);
    units.push_back(l.units);
    activations.push_back(l.activation);
    expert_flops += 2 * in * l.units + 2 * l.units;
    hidden_per_row += l.units;
    in = l.units;
  }
  const int64_t gating_flops = 2 * features * experts * (noise >= 0 ? 2 : 1) + 10 * experts;
  const int64_t flops = n * (gating_flops + top_k * expert_flops + 2 * top_k * in);

  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  const int aux = ctx.add_value("aux_loss", {}, ir::BufferKind::Scalar);
  ir::Node step = forward_step(ctx, "MoE", inputs, {y, aux}, flops);
  step.attrs["workspace_bytes"] = n * (3 * experts + 2 * top_k + top_k * hidden_per_row) * int64_t{4};
  step.attrs["expert_units"] = units;
  step.attrs["expert_activations"] = fmt::format("{}", fmt::join(activations, ","));
  step.attrs["stream"] = ctx.rng_stream;
  step.attrs.erase("expert");
  ctx.emit(std::move(step));
  ctx.output = y;
  ctx.loss_terms.push_back(aux);
}

void grad(const ir::Node& fwd, GradContext& ctx) {
  std::vector<int> needed;
  for (size_t i = 0; i < fwd.inputs.size(); ++i) needed.push_back(static_cast<int>(i));
  standard_grad(needed, {0}, 2.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"MoE"}, lower, {{"MoE", grad}}}; }

}  // namespace ynet::ops::moe
