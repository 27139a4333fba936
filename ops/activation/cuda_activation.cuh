#pragma once
// The activations of kind.h as device functions, in float: shared by the activation kernels and
// by ops that fuse an activation into their own kernels (MoE experts).
#include <cuda_runtime.h>

#include "ops/activation/kind.h"

namespace ynet::ops::activation::cuda {

// exp is only ever taken of a non-positive number, as in kind.h.
__device__ inline float sigmoid(float x) {
  if (x >= 0.f) return 1.f / (1.f + expf(-x));
  const float e = expf(x);
  return e / (1.f + e);
}

__device__ inline float apply(ActivationKind kind, float x) {
  switch (kind) {
    case ActivationKind::relu: return x > 0.f ? x : 0.f;
    case ActivationKind::sigmoid: return sigmoid(x);
    case ActivationKind::tanh: return tanhf(x);
    case ActivationKind::none: break;
  }
  return x;
}

__device__ inline float derivative_from_output(ActivationKind kind, float y) {
  switch (kind) {
    case ActivationKind::relu: return y > 0.f ? 1.f : 0.f;
    case ActivationKind::sigmoid: return y * (1.f - y);
    case ActivationKind::tanh: return 1.f - y * y;
    case ActivationKind::none: break;
  }
  return 1.f;
}

}  // namespace ynet::ops::activation::cuda
