// The starter code's video-level MoeModel as a plan step. Step "MoeClassifier": inputs (x [B,F],
// gate_weights [F, C(M+1)], expert_weights [F, CM], expert_bias [CM]), outputs (probabilities [B,C]):
// per class, a softmax over M+1 gates (the last a dummy expert that outputs 0) mixes M sigmoid
// experts. Its `l2_penalty` becomes an L2Penalty loss term on both weight matrices.
#include "ops/support/lower_support.h"
#include "ops/logistic/l2_penalty.h"

namespace ynet::ops::moe_classifier {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int gate = ctx.param("gate_weights");
  const int experts = ctx.param("expert_weights");
  const int bias = ctx.param("expert_bias");
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  const int64_t n = ctx.graph.value(x).shape[0], f = ctx.graph.value(x).shape[1];
  const int64_t gate_cols = ctx.graph.value(gate).shape[1], expert_cols = ctx.graph.value(experts).shape[1];
  const int64_t flops = 2 * n * f * (gate_cols + expert_cols) + 8 * n * (gate_cols + expert_cols);
  ctx.emit(forward_step(ctx, "MoeClassifier", {x, gate, experts, bias}, {y}, flops));
  ctx.output = y;
  const double l2 = ir::attr_double(layer_attrs(ctx.layer), "l2_penalty", 0.0);
  add_l2_penalty(ctx, {gate, experts}, l2);
}

}  // namespace

OpLowering lowering() { return {{"MoeClassifier"}, lower, {{"MoeClassifier", standard_grad({0, 1, 2, 3}, {0}, 2.0)}}}; }

}  // namespace ynet::ops::moe_classifier
