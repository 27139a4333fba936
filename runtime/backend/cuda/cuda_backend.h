#pragma once
// The CUDA backend: the plan's arena in device memory, every step bound to cuBLASLt, cuDNN or a
// kernel of its op's cuda.cu, all queued on one stream. See docs/runtime.md, "CUDA backend".
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/backend/backend.h"
#include "ops/support/cuda/device_context.h"

namespace ynet::runtime::cuda {

// No GPU this build can run on: no device, no (or too old a) driver, or a GPU older than the
// compute capability the kernels were built for.
struct CudaUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Why no CUDA backend can run here, or "" when one can.
std::string unavailable_reason();

// Throws CudaUnavailable with unavailable_reason().
std::unique_ptr<Backend> make_backend(Precision precision);

}  // namespace ynet::runtime::cuda
