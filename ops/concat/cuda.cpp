#include "ops/concat/cuda.h"

#include "ops/support/cuda/cuda_check.h"

namespace ynet::ops::concat::cuda {

void copy_columns(const ColumnCopy& c, const float* from, float* to, cudaStream_t stream) {
  if (c.rows == 0 || c.width == 0) return;
  YNET_CUDA_CHECK(cudaMemcpy2DAsync(to + c.to_offset, c.to_width * sizeof(float), from + c.from_offset,
                                    c.from_width * sizeof(float), c.width * sizeof(float), c.rows,
                                    cudaMemcpyDeviceToDevice, stream));
}

void zero(float* values, std::size_t count, cudaStream_t stream) {
  if (count > 0) YNET_CUDA_CHECK(cudaMemsetAsync(values, 0, count * sizeof(float), stream));
}

}  // namespace ynet::ops::concat::cuda
