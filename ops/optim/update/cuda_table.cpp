#include <vector>

#include "ops/optim/update/cuda.h"
#include "ops/optim/update/operands.h"

namespace ynet::ops::optim::cuda {

UpdateTable update_table(const ir::Node& node, runtime::cuda::DeviceBuffers& buffers) {
  const UpdateOperands o(node, buffers);
  std::vector<UpdateEntry> entries;
  int64_t chunks = 0;
  for (const auto& p : o.parameters) {
    entries.push_back({p.param, p.grad, p.slot0, p.slot1, p.count, chunks});
    chunks += update_chunks(p.count);
  }
  UpdateTable t;
  t.count = static_cast<int>(entries.size());
  t.chunks = chunks;
  t.entries = buffers.upload(entries);
  return t;
}

}  // namespace ynet::ops::optim::cuda
