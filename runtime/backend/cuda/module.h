#pragma once
// What the `ynet` binary and the CUDA backend module (libynet_cuda_backend.so, built from this
// folder, ops/support/cuda/ and the ops' cuda* files) say to each other. The binary links none of
// the CUDA libraries: runtime/backend/cuda_module_loader.cpp opens the module with dlopen the first
// time a command asks for the cuda backend, looks up the one symbol below and checks that the
// module was built from the same interface before calling through it.
//
// What crosses: the plan as the C++ structure both sides compiled from the same headers (never its
// protobuf form: the module links no protobuf code, so no descriptor is registered twice), Backend
// objects made in the module and used and destroyed through their virtual functions, std::string
// and exceptions derived from the standard ones. Both sides share the C++ runtime (libstdc++) and
// the allocator, so either may free what the other allocated.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/backend/backend.h"

namespace ynet::runtime::cuda_module {

// Raised by hand whenever Entry, or what its functions take or give, changes meaning.
inline constexpr uint32_t kInterfaceVersion = 1;

// The sizes of the types that cross the boundary: a module left over from a build whose headers
// differed almost always differs in one of them, and is then refused instead of misreading a plan.
struct Layout {
  size_t plan = sizeof(plan::Plan);
  size_t meta = sizeof(plan::PlanMeta);
  size_t graph = sizeof(ir::Graph);
  size_t node = sizeof(ir::Node);
  size_t value = sizeof(ir::Value);
  size_t memory = sizeof(plan::MemoryLayout);
  size_t step_context = sizeof(StepContext);
  size_t backend = sizeof(Backend);
  bool operator==(const Layout&) const = default;
};

struct Entry {
  uint32_t interface_version = kInterfaceVersion;  // stays the first member in every version
  Layout layout;
  // Why no CUDA backend can run on this machine (no driver, no device, too old a GPU), or "".
  std::string (*unavailable_reason)() = nullptr;
  // A backend for "fp32" or "tf32" products. Throws std::invalid_argument for another precision
  // and std::runtime_error when no GPU can run it (the message is unavailable_reason()).
  std::unique_ptr<Backend> (*make_backend)(const std::string& precision) = nullptr;
};

}  // namespace ynet::runtime::cuda_module

// The module's only exported symbol; the loader looks it up by this name. The name carries the
// interface's first version so that a future incompatible module can export another one.
#define YNET_CUDA_MODULE_ENTRY "ynet_cuda_backend_v1"
extern "C" const ynet::runtime::cuda_module::Entry* ynet_cuda_backend_v1();
