#include "ops/support/cuda/matmul.h"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

#include "ops/support/cuda/library_check.h"

namespace ynet::runtime::cuda {
namespace {

// Arena buffers start on 64-byte boundaries (the memory planner's alignment) and workspace on 256:
// algorithms that need more are left out.
constexpr uint32_t kOperandAlignment = 64;

cublasLtMatrixLayout_t layout(uint64_t rows, uint64_t cols, int64_t ld) {
  cublasLtMatrixLayout_t l = nullptr;
  YNET_CUDA_CHECK(cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, rows, cols, ld));
  return l;
}

void check_aligned(const void* p, const char* operand) {
  if (reinterpret_cast<uintptr_t>(p) % kOperandAlignment != 0)
    throw std::logic_error(fmt::format("matrix product: operand {} is not {}-byte aligned", operand, kOperandAlignment));
}

}  // namespace

PlannedMatmul::PlannedMatmul(DeviceBuffers& buffers, const MatmulShape& shape, Epilogue epilogue, const float* bias,
                             bool accumulate)
    : context_(&buffers.context()), workspace_(buffers.blas_workspace()), shape_(shape), beta_(accumulate ? 1.f : 0.f) {
  if (shape.m < 1 || shape.n < 1 || shape.k < 1)
    throw std::invalid_argument(fmt::format("matrix product of shape m={} n={} k={}", shape.m, shape.n, shape.k));
  YNET_CUDA_CHECK(cublasLtMatmulDescCreate(&desc_, context_->compute_type(), CUDA_R_32F));
  const cublasOperation_t op_a = shape.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = shape.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  YNET_CUDA_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)));
  YNET_CUDA_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)));
  cublasLtEpilogue_t lt_epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  if (epilogue == Epilogue::bias) lt_epilogue = CUBLASLT_EPILOGUE_BIAS;
  if (epilogue == Epilogue::relu) lt_epilogue = CUBLASLT_EPILOGUE_RELU;
  if (epilogue == Epilogue::bias_relu) lt_epilogue = CUBLASLT_EPILOGUE_RELU_BIAS;
  YNET_CUDA_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_EPILOGUE, &lt_epilogue, sizeof(lt_epilogue)));
  if (epilogue == Epilogue::bias || epilogue == Epilogue::bias_relu) {
    if (bias == nullptr) throw std::invalid_argument("matrix product with a bias epilogue but no bias");
    YNET_CUDA_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  }
  // The column-major operands: cuBLASLt's A is our B, its B our A (see matmul.h).
  const auto m = static_cast<uint64_t>(shape.m), n = static_cast<uint64_t>(shape.n), k = static_cast<uint64_t>(shape.k);
  a_layout_ = shape.transpose_b ? layout(k, n, shape.k) : layout(n, k, shape.n);
  b_layout_ = shape.transpose_a ? layout(m, k, shape.m) : layout(k, m, shape.k);
  c_layout_ = layout(n, m, shape.n);

  cublasLtMatmulPreference_t preference = nullptr;
  YNET_CUDA_CHECK(cublasLtMatmulPreferenceCreate(&preference));
  const size_t max_workspace = workspace_.bytes();
  YNET_CUDA_CHECK(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                       &max_workspace, sizeof(max_workspace)));
  for (auto attribute : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    YNET_CUDA_CHECK(
        cublasLtMatmulPreferenceSetAttribute(preference, attribute, &kOperandAlignment, sizeof(kOperandAlignment)));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(context_->lt, desc_, a_layout_, b_layout_, c_layout_,
                                                                c_layout_, preference, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(preference);
  if (status != CUBLAS_STATUS_SUCCESS || found == 0)
    throw std::runtime_error(fmt::format("cuBLASLt has no algorithm for a [{}x{}] x [{}x{}] product{}", shape.m, shape.k,
                                         shape.k, shape.n, status == CUBLAS_STATUS_SUCCESS ? "" : fmt::format(
                                             " ({})", cublasGetStatusString(status))));
  algo_ = result.algo;
  algo_workspace_ = result.workspaceSize;
}

PlannedMatmul::~PlannedMatmul() {
  cublasLtMatrixLayoutDestroy(c_layout_);
  cublasLtMatrixLayoutDestroy(b_layout_);
  cublasLtMatrixLayoutDestroy(a_layout_);
  cublasLtMatmulDescDestroy(desc_);
}

void PlannedMatmul::run(const float* a, const float* b, float* c) const {
  check_aligned(a, "A");
  check_aligned(b, "B");
  check_aligned(c, "C");
  const float alpha = 1.f;
  YNET_CUDA_CHECK(cublasLtMatmul(context_->lt, desc_, &alpha, b, a_layout_, a, b_layout_, &beta_, c, c_layout_, c,
                                 c_layout_, &algo_, workspace_.as<void>(), algo_workspace_, context_->stream));
}

void gemm(const DeviceContext& context, const MatmulShape& shape, const float* a, const float* b, float* c,
          float beta) {
  if (shape.m == 0 || shape.n == 0) return;
  if (shape.k < 1) throw std::logic_error("matrix product with an empty inner dimension");
  const float alpha = 1.f;
  YNET_CUDA_CHECK(cublasGemmEx(context.blas, shape.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                               shape.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(shape.n),
                               static_cast<int>(shape.m), static_cast<int>(shape.k), &alpha, b, CUDA_R_32F,
                               static_cast<int>(shape.transpose_b ? shape.k : shape.n), a, CUDA_R_32F,
                               static_cast<int>(shape.transpose_a ? shape.m : shape.k), &beta, c, CUDA_R_32F,
                               static_cast<int>(shape.n), context.compute_type(), CUBLAS_GEMM_DEFAULT));
}

void batched_gemm(const DeviceContext& context, const MatmulShape& shape, const BatchStrides& strides,
                  const float* a, const float* b, float* c) {
  if (shape.m == 0 || shape.n == 0 || strides.batch == 0) return;
  if (shape.k < 1) throw std::logic_error("matrix product with an empty inner dimension");
  const float alpha = 1.f, beta = 0.f;
  // Row-major C = A B is column-major C^T = B^T A^T: the operands swap, as in gemm().
  YNET_CUDA_CHECK(cublasGemmStridedBatchedEx(
      context.blas, shape.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N, shape.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N,
      static_cast<int>(shape.n), static_cast<int>(shape.m), static_cast<int>(shape.k), &alpha, b, CUDA_R_32F,
      static_cast<int>(shape.transpose_b ? shape.k : shape.n), strides.b, a, CUDA_R_32F,
      static_cast<int>(shape.transpose_a ? shape.m : shape.k), strides.a, &beta, c, CUDA_R_32F,
      static_cast<int>(shape.n), strides.c, static_cast<int>(strides.batch), context.compute_type(),
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace ynet::runtime::cuda
