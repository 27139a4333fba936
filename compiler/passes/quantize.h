#pragma once
// Inference in int8 (`--precision int8`): every forward Dense step computes its product on int8
// values, with the scales of runtime/ops/dense/int8.h. A "QuantizeDense" prologue step per layer
// quantizes the weights once after the parameters are loaded and writes the per-column scales into
// the plan buffer "<layer>.W_scale"; the int8 weights themselves are the kernel's workspace, packed
// in whatever layout the backend's product wants.
#include "compiler/ir/graph.h"

namespace ynet::passes {

// Marks each forward Dense `precision: int8`, with `input_unsigned: true` where its input is the
// output of a ReLU or a sigmoid, and gives it the prologue step and the scale buffer (fourth
// input). Returns the number of Dense steps quantized. Throws std::logic_error on a graph with
// backward steps: int8 is for inference only.
int quantize_dense_int8(ir::Graph& graph);

}  // namespace ynet::passes
