#pragma once
// Every CUDA runtime call and kernel launch of the CUDA backend is checked: a failure throws
// CudaError naming the call, the source file and line, and the runtime's own error string. The
// cuBLAS and cuDNN overloads live in library_check.h, so that kernel files need not include them.
#include <cuda_runtime_api.h>

#include <stdexcept>

namespace ynet::runtime::cuda {

struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const char* library, const char* call, const char* message, const char* file, int line);

inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) fail("CUDA", call, cudaGetErrorString(status), file, line);
}

}  // namespace ynet::runtime::cuda

#define YNET_CUDA_CHECK(call) ::ynet::runtime::cuda::check((call), #call, __FILE__, __LINE__)
// After a kernel launch: reports a bad launch configuration where it happened.
#define YNET_CUDA_CHECK_LAUNCH(kernel) \
  ::ynet::runtime::cuda::check(cudaGetLastError(), "launch of " kernel, __FILE__, __LINE__)
