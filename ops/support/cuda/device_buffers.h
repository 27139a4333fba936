#pragma once
// A bound plan's buffers on the GPU: one device arena (a single cudaMalloc) holding every buffer at
// its planned offset, int32 buffers included, plus the kernels' own workspaces. Kernels ask for
// workspace while they are bound; once every step is bound the backend places all requests in a
// second single allocation, so the memory a plan needs is known, and reported, before any is used.
//   persistent: memory kept from one step to another (what a forward step leaves for its backward
//               step, weights in a library's layout, lookup tables)
//   transient:  scratch valid while one step runs; every step shares the same region, as steps run
//               one after another on one stream
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "ops/support/cuda/device_context.h"
#include "ops/support/step_buffers.h"

namespace ynet::runtime::cuda {

// A workspace request: its device address is known once the workspace is allocated.
class Scratch {
 public:
  Scratch() = default;
  template <class T>
  T* as() const {
    return reinterpret_cast<T*>(*base_ + offset_);
  }
  size_t bytes() const { return bytes_; }

 private:
  friend class DeviceBuffers;
  Scratch(char* const* base, size_t offset, size_t bytes) : base_(base), offset_(offset), bytes_(bytes) {}
  char* const* base_ = nullptr;
  size_t offset_ = 0, bytes_ = 0;
};

class DeviceBuffers {
 public:
  using Element = float;

  // Allocates and zeroes the arena; throws BindError when the GPU lacks the memory.
  DeviceBuffers(const plan::Plan& plan, DeviceContext& context);
  ~DeviceBuffers();
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;

  const plan::Plan& plan() const { return *plan_; }
  const ir::Value& value(int id) const { return plan_->graph.value(id); }
  int64_t elements(int id) const { return value(id).elements(); }
  DeviceContext& context() { return *context_; }
  cudaStream_t stream() const { return context_->stream; }

  // Device addresses; nullptr for an absent operand (-1).
  float* f(int id) { return static_cast<float*>(address(id)); }
  int32_t* i(int id) { return static_cast<int32_t*>(address(id)); }
  uint8_t* u8(int id) { return static_cast<uint8_t*>(address(id)); }
  // The values write() last copied into an int32 buffer (the lengths), for kernels that must know
  // them on the host (cuDNN takes sequence lengths in a host array); nullptr for -1.
  const int32_t* host_ints(int id) const;
  std::vector<int32_t>& host_ints_of(int id);

  Scratch persistent(size_t bytes);
  // Pieces of scratch for one step: they do not overlap one another, but every step's pieces start
  // at the same address, so their contents do not outlive the step.
  std::vector<Scratch> transient(const std::vector<size_t>& sizes);
  // Persistent memory holding `values`, copied to the device when the workspace is allocated.
  template <class T>
  Scratch upload(const std::vector<T>& values) {
    Scratch s = persistent(values.size() * sizeof(T));
    const auto* bytes = reinterpret_cast<const char*>(values.data());
    uploads_.push_back({s, std::vector<char>(bytes, bytes + s.bytes())});
    return s;
  }
  // Runs once the workspace exists (queries of addresses inside it, library set-up).
  void after_allocation(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }
  // The workspace shared by cuBLAS and cuBLASLt calls (one stream: one call at a time uses it).
  const Scratch& blas_workspace() const { return blas_workspace_; }

  // Allocates every workspace request at once, uploads tables and runs the hooks. Throws BindError
  // naming the memory needed and the memory free when the GPU lacks it.
  void allocate_workspace();

  // State shared by the steps of one layer (see Buffers::shared).
  template <class K, class Make>
  std::shared_ptr<K> shared(const std::string& key, Make make) {
    auto& slot = shared_[key];
    if (!slot) slot = std::shared_ptr<void>(make());
    return std::static_pointer_cast<K>(slot);
  }

 private:
  struct Upload {
    Scratch where;
    std::vector<char> bytes;
  };

  void* address(int id);

  const plan::Plan* plan_;
  DeviceContext* context_;
  char* arena_ = nullptr;
  int64_t arena_bytes_ = 0;
  std::map<int, std::vector<int32_t>> host_ints_;
  char* workspace_ = nullptr;
  char* transient_base_ = nullptr;
  size_t persistent_bytes_ = 0, transient_bytes_ = 0;
  Scratch blas_workspace_;
  std::vector<Upload> uploads_;
  std::vector<std::function<void()>> hooks_;
  std::map<std::string, std::shared_ptr<void>> shared_;
};

static_assert(StepBuffers<DeviceBuffers>);

// "needs X MiB ..., Y MiB free of Z MiB" for out-of-memory messages.
std::string memory_shortfall(int64_t needed_bytes, const std::string& breakdown);

}  // namespace ynet::runtime::cuda
