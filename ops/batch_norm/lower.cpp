// BatchNorm as plan steps. Step "BatchNorm":
//   inputs  (x, gamma or -1, beta or -1, moving_mean, moving_variance[, lengths])
//   outputs training: (y, moving_mean, moving_variance, saved_mean, saved_variance); inference: (y)
// Statistics run over the batch, or for a sequence [B, T, F] over its valid frames only: the step
// then reads the input's lengths, and padded frames neither count nor get a value (y = 0, gradient
// 0). The inference pass drops the lengths (prune_for_inference): moving statistics need none.
// The moving statistics are updated in place, which is why they appear among the outputs.
#include "ops/support/lower_support.h"

namespace ynet::ops::batch_norm {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const ir::Value& xv = ctx.graph.value(x);
  const int64_t f = last_dim(xv);
  const bool frames = xv.shape.size() == 3 && ctx.lengths >= 0;  // read xv before adding values moves it
  const int y = ctx.add_value("", xv.shape, ir::BufferKind::Activation);
  const int mean = ctx.add_value("saved_mean", {f}, ir::BufferKind::Saved);
  const int variance = ctx.add_value("saved_variance", {f}, ir::BufferKind::Saved);
  const int gamma = ctx.params.count("gamma") ? ctx.param("gamma") : -1;
  const int beta = ctx.params.count("beta") ? ctx.param("beta") : -1;
  const int moving_mean = ctx.param("moving_mean");
  const int moving_var = ctx.param("moving_variance");
  const int64_t flops = 8 * ctx.graph.value(x).elements();
  std::vector<int> inputs{x, gamma, beta, moving_mean, moving_var};
  if (frames) inputs.push_back(ctx.lengths);
  ctx.emit(forward_step(ctx, "BatchNorm", inputs, {y, moving_mean, moving_var, mean, variance}, flops));
  ctx.output = y;
}

}  // namespace

// dx needs x, gamma, the lengths and the saved statistics; dgamma and dbeta come from the same pass
// over dy.
OpLowering lowering() { return {{"BatchNorm"}, lower, {{"BatchNorm", standard_grad({0, 1, 5}, {3, 4}, 1.5)}}}; }

}  // namespace ynet::ops::batch_norm
