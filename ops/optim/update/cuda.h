#pragma once
// The update's table of parameters, uploaded at bind time (see cuda_entry.h).
#include <cstdint>

#include "ops/optim/update/cuda_entry.h"
#include "ops/support/cuda/device_buffers.h"
#include "plan/graph.h"

namespace ynet::ops::optim::cuda {

struct UpdateTable {
  runtime::cuda::Scratch entries;
  int count = 0;
  int64_t chunks = 0;
};

UpdateTable update_table(const ir::Node& node, runtime::cuda::DeviceBuffers& buffers);

}  // namespace ynet::ops::optim::cuda
