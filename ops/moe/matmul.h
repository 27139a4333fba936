#pragma once
// c[M,N] = a[M,K] b[K,N] (+ bias[N]) (activation) (+ c when accumulating) on oneDNN, with M or K
// allowed to be a run-time dimension: the MoE layer groups rows per expert and every expert's group
// size changes from step to step. The primitive is created once; each call only wraps the caller's
// buffers in memory objects with the actual size (handles, no data buffers: oneDNN reads the row
// count from them).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>

#include "ops/activation/kind.h"

namespace ynet::ops::moe::cpu {

inline constexpr int64_t kRuntimeDim = DNNL_RUNTIME_DIM_VAL;

struct MatmulSpec {
  int64_t m = 0, k = 0, n = 0;  // at most one of m and k may be kRuntimeDim
  bool a_transposed = false;     // a is stored [K, M] row-major
  bool b_transposed = false;     // b is stored [N, K] row-major
  bool bias = false;
  ActivationKind activation = ActivationKind::none;
  bool accumulate = false;
};

class Matmul {
 public:
  Matmul() = default;
  Matmul(const MatmulSpec& spec, const dnnl::engine& engine);

  // `count` is the size of the run-time dimension (ignored without one). bias may be null without bias.
  void run(int64_t count, const float* a, const float* b, const float* bias, float* c,
           const dnnl::stream& stream) const;

 private:
  dnnl::memory::desc a_desc(int64_t m, int64_t k) const;
  dnnl::memory::desc b_desc(int64_t k, int64_t n) const;

  MatmulSpec spec_;
  dnnl::engine engine_;
  dnnl::primitive primitive_;
};

}  // namespace ynet::ops::moe::cpu
