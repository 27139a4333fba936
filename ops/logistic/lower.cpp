// The starter code's LogisticModel: a Dense step to class logits plus its L2 penalty.
#include "ops/logistic/l2_penalty.h"
#include "ops/support/lower_support.h"

namespace ynet::ops {

void add_l2_penalty(LowerContext& ctx, const std::vector<int>& weights, double l2) {
  if (l2 <= 0) return;
  const int penalty = ctx.add_value("l2_penalty", {}, ir::BufferKind::Scalar);
  int64_t elements = 0;
  for (int w : weights) elements += ctx.graph.value(w).elements();
  ir::Node n;
  n.op = "L2Penalty";
  n.phase = ir::Phase::Loss;
  n.attrs["l2"] = l2;
  n.inputs = weights;
  n.outputs = {penalty};
  n.flops = 2 * elements;
  ctx.emit(std::move(n));
  ctx.loss_terms.push_back(penalty);
}

namespace logistic {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int w = ctx.param("weights");
  const int b = ctx.param("bias");
  const int y = ctx.add_value("", ctx.concrete(ctx.layer.shape), ir::BufferKind::Activation);
  const ir::Value& wv = ctx.graph.value(w);
  const int64_t n = rows(ctx.graph.value(x));
  ir::Node step = forward_step(ctx, "Dense", {x, w, b}, {y}, 2 * n * wv.shape[0] * wv.shape[1] + n * wv.shape[1]);
  step.attrs["activation"] = std::string("none");
  step.attrs["units"] = wv.shape[1];
  ctx.emit(std::move(step));
  ctx.output = y;
  add_l2_penalty(ctx, {w}, ir::attr_double(layer_attrs(ctx.layer), "l2_penalty", 0.0));
}

}  // namespace

// The penalty's gradient reads every weight it penalises (MoeClassifier penalises two).
void l2_penalty_grad(const ir::Node& fwd, GradContext& ctx) {
  emit_standard_grad(fwd, ctx, std::vector<bool>(fwd.inputs.size(), true), {false}, fwd.flops);
}

OpLowering lowering() { return {{"Logistic"}, lower, {{"L2Penalty", l2_penalty_grad}}}; }

}  // namespace logistic
}  // namespace ynet::ops
