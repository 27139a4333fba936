#pragma once
// Row-major matrix products for the CUDA kernels, C [m, n] = op(A) [m, k] op(B) [k, n], in the
// precision of the backend (DeviceContext::compute_type). cuBLAS is column-major: a row-major C is
// a column-major C^T = op(B)^T op(A)^T, so every call swaps the operands and passes each row-major
// matrix as its column-major transpose; no data is ever transposed.
//   PlannedMatmul  a product of fixed shape on cuBLASLt, planned once at bind time (layouts,
//                  algorithm chosen by the heuristic, optional bias / ReLU epilogue)
//   gemm           a product whose row count is only known when it runs (MoE experts), on
//                  cublasGemmEx
//   batched_gemm   many products of one shape at fixed strides (per-video products)
#include <cublasLt.h>

#include <cstdint>

#include "ops/support/cuda/device_buffers.h"

namespace ynet::runtime::cuda {

struct MatmulShape {
  int64_t m = 0, n = 0, k = 0;
  bool transpose_a = false;  // A is stored [k, m] (row-major) and used transposed
  bool transpose_b = false;  // B is stored [n, k] and used transposed
};

// What cuBLASLt applies to the product before writing C: + bias[n] broadcast over the rows, ReLU.
enum class Epilogue { none, bias, relu, bias_relu };

class PlannedMatmul {
 public:
  // bias: the device vector [n] of the bias epilogues (its address is part of the plan). With
  // accumulate, C += op(A) op(B) instead of C = op(A) op(B). Throws when cuBLASLt has no algorithm.
  PlannedMatmul(DeviceBuffers& buffers, const MatmulShape& shape, Epilogue epilogue = Epilogue::none,
                const float* bias = nullptr, bool accumulate = false);
  ~PlannedMatmul();
  PlannedMatmul(const PlannedMatmul&) = delete;
  PlannedMatmul& operator=(const PlannedMatmul&) = delete;

  void run(const float* a, const float* b, float* c) const;

 private:
  DeviceContext* context_;
  Scratch workspace_;
  MatmulShape shape_;
  float beta_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_layout_ = nullptr, b_layout_ = nullptr, c_layout_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  size_t algo_workspace_ = 0;
};

// C = op(A) op(B) + beta C. Nothing runs when m or n is 0; k must be positive.
void gemm(const DeviceContext& context, const MatmulShape& shape, const float* a, const float* b, float* c,
          float beta = 0.f);

// `batch` independent products C_i = op(A_i) op(B_i), the i-th matrices starting i * stride values
// after the first (NetVLAD's per-video aggregation); on cublasGemmStridedBatchedEx.
struct BatchStrides {
  int64_t batch = 0, a = 0, b = 0, c = 0;
};
void batched_gemm(const DeviceContext& context, const MatmulShape& shape, const BatchStrides& strides,
                  const float* a, const float* b, float* c);

}  // namespace ynet::runtime::cuda
