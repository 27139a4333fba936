#pragma once
// What every CUDA kernel of a backend shares: the device, the one stream all work is queued on
// (so every step runs after the previous one without any synchronisation of ours), the library
// handles bound to that stream, and the precision of float32 matrix products.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cudnn.h>
#include <cuda_runtime_api.h>

#include <string>

namespace ynet::runtime::cuda {

// fp32: full float32 products. tf32: tensor cores round the factors of matrix products to TF32
// (10-bit mantissa) and accumulate in float32; elementwise work stays float32 either way.
enum class Precision { fp32, tf32 };

const char* to_string(Precision precision);
// "fp32" or "tf32"; throws std::invalid_argument otherwise.
Precision parse_precision(const std::string& name);

struct DeviceContext {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cublasLtHandle_t lt = nullptr;
  cudnnHandle_t dnn = nullptr;
  Precision precision = Precision::tf32;

  cublasComputeType_t compute_type() const {
    return precision == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  }
  // cuDNN's RNN kernels: FMA_MATH keeps them off the tensor cores, DEFAULT_MATH lets float32 data
  // use TF32 tensor cores.
  cudnnMathType_t rnn_math() const { return precision == Precision::tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH; }
};

}  // namespace ynet::runtime::cuda
