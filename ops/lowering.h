#pragma once
// How each layer becomes plan steps, and how each step is differentiated. Every op's rules live in
// ops/<op>/lower.cpp beside its signature (def.cpp) and its kernels; this header is what the
// compiler sees of them. Nothing here knows about any backend.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ops/grad.h"
#include "ops/layer.h"
#include "plan/graph.h"

namespace ynet::ops {

// What a layer's lowering rule works with.
struct LowerContext {
  LowerContext(ir::Graph& g, const LayerNode& l) : graph(g), layer(l) {}

  ir::Graph& graph;
  const LayerNode& layer;
  std::vector<int> inputs;              // value ids of the layer's tensor inputs
  std::map<std::string, int> params;    // the layer's parameters by local name
  int lengths = -1;                     // int32 [B] valid frames per video; -1 for video-level inputs
  bool training = true;
  int64_t batch = 0;
  int64_t max_frames = 1;
  int64_t rng_stream = 0;               // distinct per layer: dropout masks and gating noise

  // Rule results.
  int output = -1;                      // the value the layer's name refers to
  std::vector<int> loss_terms;          // scalars added to the training loss (MoE auxiliary losses)

  std::vector<int64_t> concrete(const Shape& shape) const;  // B -> batch, T -> max_frames
  int add_value(const std::string& suffix, std::vector<int64_t> shape, ir::BufferKind kind,
                ir::DType dtype = ir::DType::F32);
  void emit(ir::Node node);             // sets the node's layer name and phase (forward) if unset
  int param(const std::string& name) const;  // throws std::logic_error naming the layer if missing
};

using LowerRule = std::function<void(LowerContext&)>;

// Adds parameters named "<prefix>.<name>" (trainable ones to graph.params with their initialiser
// and fans, the others to graph.state) and returns their value ids by local name.
std::map<std::string, int> add_params(ir::Graph& graph, const std::string& prefix,
                                      const std::vector<ParamInfo>& params);

struct OpLowering {
  std::vector<std::string> layer_ops;         // registry names of the layers this rule lowers
  LowerRule lower;                            // empty for layers lowered by the compiler itself
  std::vector<std::pair<std::string, GradRule>> grads;  // gradient rules of the steps it emits
};

const OpLowering* find_lowering(const std::string& layer_op);
const GradRule* find_grad_rule(const std::string& step_op);

}  // namespace ynet::ops
