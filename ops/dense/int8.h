#pragma once
// Dense in int8, for inference (`--precision int8`, compiler/passes/quantize.h). The rules, which
// the reference defines in exact integer arithmetic and the oneDNN kernel follows:
//
//   weights, per output column j:  s_w[j] = max_i |W[i,j]| / 127,  qW = round(W / s_w) in [-127, 127]
//   inputs, per row r (a video; a frame for a per-frame Dense), as each batch arrives:
//     signed:    s_x[r] = max_k |x[r,k]| / 127,  qx = round(x / s_x) in [-127, 127]
//     unsigned:  s_x[r] = max_k x[r,k] / 255,    qx = round(x / s_x) in [0, 255]
//                (an input known to be >= 0: the output of a ReLU or a sigmoid)
//   y[r,j] = f(s_x[r] s_w[j] sum_k qx[r,k] qW[k,j] + b[j])
//
// round is to nearest, ties to even; a column or row without a non-zero value gets scale 1.
// Scales per row rather than per batch keep a video's scores independent of the other videos in
// its batch. Weight scales are computed once, by the "QuantizeDense" prologue step, after the
// parameters are loaded.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/activation/kind.h"
#include "ops/dense/reference.h"

namespace ynet::ops::dense::int8 {

inline constexpr int kSignedLevels = 127;
inline constexpr int kUnsignedLevels = 255;

template <class T>
T scale_for(T largest_magnitude, int levels) {
  return largest_magnitude > T(0) ? largest_magnitude / static_cast<T>(levels) : T(1);
}

// round(value / scale) clamped to [low, high]; NaN quantizes to 0.
template <class T>
int quantize(T value, T scale, int low, int high) {
  const T q = std::nearbyint(value / scale);
  if (!(q == q)) return 0;
  return static_cast<int>(std::clamp(q, static_cast<T>(low), static_cast<T>(high)));
}

namespace reference {

// w_scale [outputs] and qw [inputs * outputs], row-major like W.
void quantize_weights(const DenseShape& shape, const double* w, double* w_scale, int8_t* qw);

void forward(const DenseShape& shape, ActivationKind activation, bool unsigned_input, const double* x,
             const int8_t* qw, const double* w_scale, const double* b, double* y);

}  // namespace reference
}  // namespace ynet::ops::dense::int8
