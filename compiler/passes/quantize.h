#pragma once
// Inference in int8 (`--precision int8`): every forward Dense step computes its product on int8
// values, with the scales of ops/dense/int8.h. A "QuantizeDense" prologue step per layer
// quantizes the weights once after the parameters are loaded and writes the per-column scales into
// the plan buffer "<layer>.W_scale"; the int8 weights themselves are the kernel's workspace, packed
// in whatever layout the backend's product wants.
#include "plan/graph.h"

namespace ynet::passes {

// Marks each forward Dense `precision: int8`, with `input_unsigned: true` where its input is the
// output of a ReLU or a sigmoid, and gives it the prologue step and the scale buffer (fourth
// input). Returns the number of Dense steps quantized. Throws std::logic_error on a graph with
// backward steps: int8 is for inference only.
int quantize_dense_int8(ir::Graph& graph);

// Inference over the frames' stored bytes. When every step that reads the frames
// ("input.features", [batch, time, features]) is a forward FramePooling, the frames can stay the
// bytes the records hold: the input becomes u8 (a quarter of the memory, and no dequantization
// pass over every frame while decoding), and each pooling step dequantizes what it reads, a byte q
// standing for dequantize_scale * q + dequantize_bias (the data's quantisation, given by the
// caller). Returns the number of pooling steps changed; 0 leaves the graph as it was (video-level
// input, L2-normalised frames, or a model that reads every frame, such as an LSTM).
int pool_stored_frames(ir::Graph& graph, double dequantize_scale, double dequantize_bias);

}  // namespace ynet::passes
