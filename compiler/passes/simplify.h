#pragma once
// Small graph-to-graph passes. Each is independent and tested on hand-written graphs.
#include "plan/graph.h"

namespace ynet::passes {

// Removes steps whose outputs nothing reads: no later step, not live-out, not persistent state.
// Returns the number of steps removed.
int eliminate_dead_steps(ir::Graph& graph);

// Prepares a forward graph for inference: dropout becomes the identity, every forward step's
// `training` attribute turns false (BatchNorm uses its moving statistics, and drops the lengths it
// reads over frames in training), loss steps are removed. Run eliminate_dead_steps afterwards.
int prune_for_inference(ir::Graph& graph);

// Dense (no activation) followed by an activation step that is the only reader of its output
// becomes one Dense step with that activation. Returns the number of fusions.
int fuse_dense_activation(ir::Graph& graph);

// Inference only: Dense followed by BatchNorm, when the BatchNorm is the only reader, becomes a Dense
// over folded weights; a prologue step computes the folded weights once after parameters are loaded.
int fold_batchnorm_into_dense(ir::Graph& graph);

// Inference only: BatchNorm whose only reader is a FramePooling becomes part of that pooling, which
// then pools scale * x + shift over the BatchNorm's input; a FoldBatchNorm prologue step computes
// scale and shift once after parameters are loaded. Saves writing and rereading a normalised copy
// of the whole frame sequence.
int fold_batchnorm_into_pooling(ir::Graph& graph);

// Drops values that no step touches and that are not parameters, state or live-out; renumbers ids.
void compact_values(ir::Graph& graph);

}  // namespace ynet::passes
