#pragma once
// cuBLAS, cuBLASLt and cuDNN status checks (see cuda_check.h): YNET_CUDA_CHECK accepts their
// status codes too once this header is included.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cudnn.h>

#include "ops/support/cuda/cuda_check.h"

namespace ynet::runtime::cuda {

inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) fail("cuBLAS", call, cublasGetStatusString(status), file, line);
}

inline void check(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS) fail("cuDNN", call, cudnnGetErrorString(status), file, line);
}

}  // namespace ynet::runtime::cuda
