// The entry point of the CUDA backend module (see module.h): the one symbol its version script
// (module.map) exports.
#include "runtime/backend/cuda/module.h"

#include "runtime/backend/cuda/cuda_backend.h"

namespace ynet::runtime::cuda_module {
namespace {

std::unique_ptr<Backend> make_backend(const std::string& precision) {
  return cuda::make_backend(cuda::parse_precision(precision));
}

constexpr Entry kEntry{.interface_version = kInterfaceVersion,
                       .layout = Layout{},
                       .unavailable_reason = &cuda::unavailable_reason,
                       .make_backend = &make_backend};

}  // namespace
}  // namespace ynet::runtime::cuda_module

extern "C" __attribute__((visibility("default"))) const ynet::runtime::cuda_module::Entry* ynet_cuda_backend_v1() {
  return &ynet::runtime::cuda_module::kEntry;
}
