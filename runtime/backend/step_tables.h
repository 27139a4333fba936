#pragma once
// The step tables of the host backends, filled by each op folder's steps.cpp.
#include "runtime/backend/step.h"

namespace ynet::runtime {

const StepTable<double>& reference_steps();
const StepTable<float>& cpu_steps();

}  // namespace ynet::runtime

// Every provider defines add_reference_steps and add_cpu_steps in its steps.cpp.
#define YNET_STEP_PROVIDERS(X)                                                                     \
  X(ops::dense) X(ops::activation) X(ops::batch_norm) X(ops::dropout) X(ops::frame_pooling)       \
  X(ops::time_weighted_sum) X(ops::l2_normalize) X(ops::lstm) X(ops::moe) X(ops::moe_classifier) \
  X(ops::logistic) X(ops::sigmoid_cross_entropy) X(optim) X(runtime::graph_steps)

#define YNET_DECLARE_STEP_PROVIDER(ns)                                   \
  namespace ynet::ns {                                                   \
  void add_reference_steps(::ynet::runtime::StepTable<double>& table);   \
  void add_cpu_steps(::ynet::runtime::StepTable<float>& table);          \
  }
YNET_STEP_PROVIDERS(YNET_DECLARE_STEP_PROVIDER)
#undef YNET_DECLARE_STEP_PROVIDER

#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
// The CUDA backend binds steps to device buffers; each provider also defines add_cuda_steps, in its
// cuda_steps.cpp (runtime/backend/cuda/ for the graph steps).
namespace ynet::runtime::cuda {
class DeviceBuffers;
using StepFactory = std::function<std::unique_ptr<BoundStep>(const ir::Node& node, DeviceBuffers& buffers)>;
using StepTable = std::map<std::string, StepFactory>;
const StepTable& cuda_steps();
}  // namespace ynet::runtime::cuda

#define YNET_DECLARE_CUDA_STEP_PROVIDER(ns)                     \
  namespace ynet::ns {                                         \
  void add_cuda_steps(::ynet::runtime::cuda::StepTable& table); \
  }
YNET_STEP_PROVIDERS(YNET_DECLARE_CUDA_STEP_PROVIDER)
#undef YNET_DECLARE_CUDA_STEP_PROVIDER
#endif
