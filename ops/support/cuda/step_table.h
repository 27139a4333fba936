#pragma once
// The CUDA backend's step table: step op name -> factory binding one step to device buffers,
// generated from the op list (ops/all_ops.h) in step_table.cpp.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ops/op.h"

namespace ynet::runtime::cuda {

class DeviceBuffers;
using StepFactory = std::function<std::unique_ptr<BoundStep>(const ir::Node& node, DeviceBuffers& buffers)>;
using StepTable = std::map<std::string, StepFactory>;

const StepTable& cuda_steps();

}  // namespace ynet::runtime::cuda
