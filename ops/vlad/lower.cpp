// NetVLAD, NetRVLAD, SoftDBoW and NeXtVLAD as plan steps: each is a chain of steps of other ops
// (Dense, BatchNorm, Softmax, Multiply, L2Normalize, FramePooling) around one step of its own,
// "VladAggregate": inputs (a [B, T, G*K], x [B, T, G*F], centres [K, F] or -1), outputs
// (v [B, K*F]); attribute clusters. Its gradient reads all three inputs. The parts' steps report
// as "<layer>/assignment", "<layer>/cluster_bn", ... in plans and profiles.
#include "ops/vlad/lower.h"

#include "ops/batch_norm/lower.h"
#include "ops/dense/lower.h"
#include "ops/frame_pooling/lower.h"
#include "ops/l2_normalize/lower.h"
#include "ops/multiply/lower.h"
#include "ops/softmax/lower.h"

namespace ynet::ops::vlad {

int emit_aggregate(LowerContext& ctx, Part part, int a, int x, int centres, int64_t clusters) {
  const ir::Value& av = ctx.graph.value(a);
  const ir::Value& xv = ctx.graph.value(x);
  const int64_t groups = av.shape.at(2) / clusters, features = xv.shape.at(2) / groups;
  const int64_t flops = 2 * av.shape[0] * av.shape[1] * groups * clusters * features;
  const int v = part_value(ctx, part, "", {av.shape[0], clusters * features});
  part.attrs["clusters"] = clusters;
  ctx.emit(part_step(ctx, part, "VladAggregate", {a, x, centres}, {v}, flops));
  return v;
}

namespace {

int64_t clusters_of(const LowerContext& ctx) { return ir::attr_int(layer_attrs(ctx.layer), "clusters", 0); }

// softmax(BatchNorm(x W)) or softmax(x W + b) per frame: [B, T, K].
int soft_assignment(LowerContext& ctx, int x) {
  return softmax::emit(ctx, layer_part("softmax"), batch_norm::emit_projection(ctx, "assignment", "cluster", x));
}

void lower_vlad(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const int64_t features = last_dim(ctx.graph.value(x));
  const int a = soft_assignment(ctx, x);
  const int centres = ctx.params.count("centres") ? ctx.param("centres") : -1;
  const int v = emit_aggregate(ctx, layer_part("aggregate"), a, x, centres, clusters_of(ctx));
  const int intra = l2_normalize::emit(ctx, layer_part("intra_norm"), v, features);
  ctx.output = l2_normalize::emit(ctx, layer_part(""), intra);
}

void lower_soft_dbow(LowerContext& ctx) {
  const int a = soft_assignment(ctx, ctx.inputs.at(0));
  const int histogram = frame_pooling::emit(ctx, layer_part("sum"), a, "sum");
  ctx.output = l2_normalize::emit(ctx, layer_part(""), histogram);
}

void lower_next_vlad(LowerContext& ctx) {
  const ir::Attrs attrs = layer_attrs(ctx.layer);
  const int64_t clusters = clusters_of(ctx), groups = ir::attr_int(attrs, "groups", 8);
  const int expanded = dense::emit(ctx, layer_part("expansion"), ctx.inputs.at(0), ctx.param("expansion/weights"),
                                   ctx.param("expansion/bias"));
  const int64_t group_size = last_dim(ctx.graph.value(expanded)) / groups;
  const int attention = dense::emit(ctx, layer_part("attention", {{"activation", std::string("sigmoid")}}), expanded,
                                    ctx.param("attention/weights"), ctx.param("attention/bias"));
  const int logits = batch_norm::emit_projection(ctx, "assignment", "cluster", expanded);
  const int a = softmax::emit(ctx, layer_part("softmax"), logits, clusters);
  const int attended = multiply::emit(ctx, layer_part("attended"), a, attention);
  const int v = emit_aggregate(ctx, layer_part("aggregate"), attended, expanded, ctx.param("centres"), clusters);
  const int intra = l2_normalize::emit(ctx, layer_part("intra_norm"), v, group_size);
  ctx.output = batch_norm::emit(ctx, layer_part("", batch_norm::default_attrs()), intra,
                                batch_norm::params(ctx, "output_bn/"));
}

void lower(LowerContext& ctx) {
  if (ctx.layer.op == "SoftDBoW") return lower_soft_dbow(ctx);
  if (ctx.layer.op == "NeXtVLAD") return lower_next_vlad(ctx);
  lower_vlad(ctx);
}

}  // namespace

OpLowering lowering() {
  return {{"NetVLAD", "NetRVLAD", "SoftDBoW", "NeXtVLAD"}, lower, {{"VladAggregate", standard_grad({0, 1, 2}, {}, 2.0)}}};
}

}  // namespace ynet::ops::vlad
