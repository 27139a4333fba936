// Concat and Slice bound to the CUDA backend: each step runs the column copies operands.h reads.
#include "ops/concat/cuda.h"
#include "ops/concat/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::concat {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  for (const char* op : {"Concat", "Concat.grad", "Slice", "Slice.grad"}) {
    table[op] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
      const Operands o(n, b);
      cudaStream_t stream = b.stream();
      return runtime::make_step([=](const runtime::StepContext&) {
        if (o.zero != nullptr) cuda::zero(o.zero, o.zero_elements, stream);
        for (const auto& c : o.copies) cuda::copy_columns(c.columns, c.from, c.to, stream);
      });
    };
  }
}

}  // namespace ynet::ops::concat
