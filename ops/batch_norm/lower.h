#pragma once
// The BatchNorm step, for the BatchNorm layer and for layers built from it (NetVLAD's cluster
// normalisation, NeXtVLAD's output normalisation, ContextGating's gate).
#include "ops/support/lower_support.h"

namespace ynet::ops::batch_norm {

struct Params {
  int gamma = -1, beta = -1;  // -1: not learned
  int moving_mean = -1, moving_variance = -1;
};

// The ids of the parameters named by param_defs(prefix, ...) (params.h) in ctx.
Params params(const LowerContext& ctx, const std::string& prefix);

// The BatchNorm layer's default momentum and epsilon, as step attributes: what a layer built from
// BatchNorm gives the part that normalises (layer_part("cluster_bn", batch_norm::default_attrs())).
ir::Attrs default_attrs();

// Normalises x: a vector over the batch, a sequence over its valid frames (ctx.lengths). The part's
// attributes give momentum and epsilon (the layer's defaults when absent). Returns y.
int emit(LowerContext& ctx, const Part& part, int x, const Params& p);

// The projection of projection_params(name, ...) (params.h): a Dense step as part `dense_part`,
// then BatchNorm as part "<name>_bn" when its parameters exist. Returns its output.
int emit_projection(LowerContext& ctx, const std::string& dense_part, const std::string& name, int x);

}  // namespace ynet::ops::batch_norm
