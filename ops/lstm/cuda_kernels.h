#pragma once
// The element-wise parts of the cuDNN LSTM stack (cuda.h): what runs between layers (dropout on a
// layer's output, the residual path, zeroing past each video's length, lstm_shape.h) and the copies
// between the canonical parameter layout and cuDNN's weight space.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::lstm::cuda {

// Layer l's dropout scales: element e of the layer's [B,T,H] output is element offset + e of the
// [layers,G,T,H] keep tensor of dropout_keep.h (G: the global batch, B outside data parallelism),
// drawn from Philox; inactive outside training.
struct Keep {
  bool active = false;
  dropout::philox::MaskKey key;
  uint32_t threshold = 0;
  float scale = 1.f;
  int64_t offset = 0;
};

struct SequenceDims {
  int64_t batch, time, hidden;
};

// seq[b] = lengths[b] clamped to [1, T] (cuDNN takes no empty sequence; the masks below zero what
// an empty one computes); all T without lengths.
void sequence_lengths(const int32_t* lengths, int64_t batch, int64_t time, int32_t* seq, cudaStream_t stream);

// next = valid ? a * keep + (residual ? u : 0) : 0 over [B,T,H]; valid: t < lengths[b] (null: all).
void layer_output(const SequenceDims& d, const Keep& keep, const int32_t* lengths, const float* a, const float* u,
                  float* next, cudaStream_t stream);
// da = valid ? g * keep : 0: the gradient reaching cuDNN's output from the gradient g of next.
void output_gradient(const SequenceDims& d, const Keep& keep, const int32_t* lengths, const float* g, float* da,
                     cudaStream_t stream);
// du = valid ? du + (residual ? g : 0) : 0 over [B,T,width] (residual needs width = H).
void input_gradient(const SequenceDims& d, int64_t width, const int32_t* lengths, const float* g, bool residual,
                    float* du, cudaStream_t stream);

// dst[c, r] = src[r, c] for r < rows, c < cols, with row strides src_ld and dst_ld.
void transpose(const float* src, int64_t rows, int64_t cols, int64_t src_ld, float* dst, int64_t dst_ld,
               cudaStream_t stream);

// The four gate vectors of a bias in cuDNN's weight space.
struct GateVectors {
  float* gate[4];
};
// gate[g][j] = b[g H + j] (+ forget_bias for g = 1).
void bias_to_gates(const float* b, int64_t hidden, float forget_bias, GateVectors gates, cudaStream_t stream);
// db[g H + j] = gate[g][j].
void bias_from_gates(GateVectors gates, int64_t hidden, float* db, cudaStream_t stream);

}  // namespace ynet::ops::lstm::cuda
