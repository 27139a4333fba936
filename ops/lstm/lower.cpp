// An LSTM stack as one plan step, so a backend can hand the whole stack to its RNN library.
// Step "LSTM": inputs (x [B,T,F], lengths, then per layer l: input_weights [in_l, 4H],
// recurrent_weights [H, 4H], bias [4H], gate blocks in the order i, f, g, o), outputs (y [B,T,H]).
// What the backward step needs from the forward one (gates, cells, dropout masks) stays in the
// kernel's own workspace, whose size differs between backends; the attribute workspace_bytes
// estimates it (gates, cell, tanh(cell) and output per layer and step) for the memory report.
// Outputs past each video's length are zero, which is exact for a one-directional LSTM.
#include <fmt/format.h>

#include "ops/support/lower_support.h"

namespace ynet::ops::lstm {
namespace {

void lower(LowerContext& ctx) {
  const int x = ctx.inputs.at(0);
  const ir::Value& xv = ctx.graph.value(x);
  const int64_t layers = ir::attr_int(layer_attrs(ctx.layer), "layers", 1);
  const int64_t hidden = ir::attr_int(layer_attrs(ctx.layer), "hidden", 1);
  const int64_t batch = xv.shape[0], steps = xv.shape[1];
  std::vector<int> inputs{x, ctx.lengths};
  int64_t flops = 0;
  int64_t in = xv.shape[2];
  for (int64_t l = 0; l < layers; ++l) {
    inputs.push_back(ctx.param(fmt::format("layer{}/input_weights", l)));
    inputs.push_back(ctx.param(fmt::format("layer{}/recurrent_weights", l)));
    inputs.push_back(ctx.param(fmt::format("layer{}/bias", l)));
    flops += 2 * batch * steps * (in + hidden) * 4 * hidden + 15 * batch * steps * hidden;
    in = hidden;
  }
  const int y = ctx.add_value("", {batch, steps, hidden}, ir::BufferKind::Activation);
  ir::Node n = forward_step(ctx, "LSTM", inputs, {y}, flops);
  n.attrs["workspace_bytes"] = layers * steps * batch * 7 * hidden * int64_t{4};
  n.attrs["stream"] = ctx.rng_stream;
  ctx.emit(std::move(n));
  ctx.output = y;
}

// Backpropagation through time reads everything the forward step read, but not its output: each
// layer's raw outputs, cell states and gates are the kernel's workspace (which is where cuDNN and
// oneDNN want them), and the step's output y differs from them by the masking, dropout and residual
// applied after each layer. Leaving y out lets it die as soon as the forward pass has used it, so
// its gradient can take its place. The matrix work is twice the forward's (gradients for the inputs
// and for the weights).
void grad(const ir::Node& fwd, GradContext& ctx) {
  std::vector<int> needed;
  for (size_t i = 0; i < fwd.inputs.size(); ++i) needed.push_back(static_cast<int>(i));
  standard_grad(needed, {}, 2.0)(fwd, ctx);
}

}  // namespace

OpLowering lowering() { return {{"LSTM"}, lower, {{"LSTM", grad}}}; }

}  // namespace ynet::ops::lstm
