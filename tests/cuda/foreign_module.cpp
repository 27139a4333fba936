// Stand-ins for a CUDA backend module from another ynet, for test_cuda_module.cpp: the entry point
// answers with another interface version (YNET_FOREIGN_INTERFACE) or, at the same version, with
// structures of other sizes. Neither has factories: the loader must refuse them before any call.
#include "runtime/backend/cuda/module.h"

namespace {

using ynet::runtime::cuda_module::Entry;
using ynet::runtime::cuda_module::kInterfaceVersion;

constexpr Entry foreign() {
  Entry entry;
#ifdef YNET_FOREIGN_INTERFACE
  entry.interface_version = kInterfaceVersion + 1;
#else
  entry.layout.plan += 8;
#endif
  return entry;
}
constexpr Entry kForeign = foreign();

}  // namespace

extern "C" __attribute__((visibility("default"))) const Entry* ynet_cuda_backend_v1() { return &kForeign; }
