// BatchNorm as plan steps. Step "BatchNorm":
//   inputs  (x, gamma or -1, beta or -1, moving_mean, moving_variance[, lengths])
//   outputs training: (y, moving_mean, moving_variance, saved_mean, saved_variance); inference: (y)
// Statistics run over the batch, or for a sequence [B, T, F] over its valid frames only: the step
// then reads the input's lengths, and padded frames neither count nor get a value (y = 0, gradient
// 0). The inference pass drops the lengths (prune_for_inference): moving statistics need none.
// The moving statistics are updated in place, which is why they appear among the outputs.
#include "ops/batch_norm/lower.h"

#include "ops/dense/lower.h"

namespace ynet::ops::batch_norm {

Params params(const LowerContext& ctx, const std::string& prefix) {
  Params p;
  if (ctx.params.count(prefix + "gamma")) p.gamma = ctx.param(prefix + "gamma");
  if (ctx.params.count(prefix + "beta")) p.beta = ctx.param(prefix + "beta");
  p.moving_mean = ctx.param(prefix + "moving_mean");
  p.moving_variance = ctx.param(prefix + "moving_variance");
  return p;
}

ir::Attrs default_attrs() {
  ir::Attrs attrs;
  for (const ArgDef& arg : find_op("BatchNorm")->args)
    if (arg.type == ArgType::Float) attrs[arg.name] = std::get<double>(*arg.default_value);
  return attrs;
}

int emit(LowerContext& ctx, const Part& part, int x, const Params& p) {
  const ir::Value& xv = ctx.graph.value(x);
  const int64_t f = last_dim(xv);
  const int64_t flops = 8 * xv.elements();
  const bool frames = xv.shape.size() == 3 && ctx.lengths >= 0;
  const std::vector<int64_t> shape = xv.shape;  // copied: adding values moves xv
  const int y = part_value(ctx, part, "", shape);
  const int mean = part_value(ctx, part, "saved_mean", {f}, ir::BufferKind::Saved);
  const int variance = part_value(ctx, part, "saved_variance", {f}, ir::BufferKind::Saved);
  std::vector<int> inputs{x, p.gamma, p.beta, p.moving_mean, p.moving_variance};
  if (frames) inputs.push_back(ctx.lengths);
  ctx.emit(part_step(ctx, part, "BatchNorm", inputs, {y, p.moving_mean, p.moving_variance, mean, variance}, flops));
  return y;
}

int emit_projection(LowerContext& ctx, const std::string& dense_part, const std::string& name, int x) {
  const bool normalize = !ctx.params.count(name + "_bias");
  const int y = dense::emit(ctx, layer_part(dense_part), x, ctx.param(name + "_weights"),
                            normalize ? -1 : ctx.param(name + "_bias"));
  if (!normalize) return y;
  return emit(ctx, layer_part(name + "_bn", default_attrs()), y, params(ctx, name + "_bn/"));
}

namespace {

void lower(LowerContext& ctx) { ctx.output = emit(ctx, whole_layer(ctx), ctx.inputs.at(0), params(ctx, "")); }

}  // namespace

// dx needs x, gamma, the lengths and the saved statistics; dgamma and dbeta come from the same pass
// over dy.
OpLowering lowering() { return {{"BatchNorm"}, lower, {{"BatchNorm", standard_grad({0, 1, 5}, {3, 4}, 1.5)}}}; }

}  // namespace ynet::ops::batch_norm
