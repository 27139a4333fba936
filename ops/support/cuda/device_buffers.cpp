#include "ops/support/cuda/device_buffers.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "ops/op.h"
#include "ops/support/cuda/library_check.h"

namespace ynet::runtime::cuda {
namespace {

// Every workspace request starts on a 256-byte boundary: what cuBLASLt and cuDNN kernels assume
// of the buffers they are given, and a whole number of float4/double2 vectors.
constexpr size_t kAlignment = 256;
// cuBLAS's recommended workspace on Hopper.
constexpr size_t kBlasWorkspaceBytes = size_t{32} << 20;

size_t aligned(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

double mib(double bytes) { return bytes / double(1 << 20); }

}  // namespace

const char* to_string(Precision precision) { return precision == Precision::tf32 ? "tf32" : "fp32"; }

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::fp32;
  if (name == "tf32") return Precision::tf32;
  throw std::invalid_argument("unknown precision '" + name + "' (choose fp32 or tf32)");
}

std::string memory_shortfall(int64_t needed_bytes, const std::string& breakdown) {
  size_t free_bytes = 0, total_bytes = 0;
  const bool known = cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess;
  std::string out = fmt::format("the plan needs {:.1f} MiB of GPU memory ({})", mib(double(needed_bytes)), breakdown);
  if (known) out += fmt::format(", but only {:.1f} MiB of {:.1f} MiB are free", mib(double(free_bytes)), mib(double(total_bytes)));
  return out + "; try a smaller --batch";
}

DeviceBuffers::DeviceBuffers(const plan::Plan& plan, DeviceContext& context) : plan_(&plan), context_(&context) {
  arena_bytes_ = plan.memory.arena_bytes;
  void* arena = nullptr;
  if (cudaMalloc(&arena, static_cast<size_t>(arena_bytes_) + kAlignment) != cudaSuccess) {
    cudaGetLastError();  // an allocation failure is not sticky; clear it for the next call
    throw BindError(memory_shortfall(
        arena_bytes_ + plan.memory.workspace_bytes,
        fmt::format("arena {:.1f} MiB + kernel workspaces estimated at {:.1f} MiB", mib(double(arena_bytes_)),
                    mib(double(plan.memory.workspace_bytes)))));
  }
  arena_ = static_cast<char*>(arena);
  YNET_CUDA_CHECK(cudaMemsetAsync(arena_, 0, static_cast<size_t>(arena_bytes_) + kAlignment, context.stream));
  for (const ir::Value& v : plan.graph.values)
    if (v.dtype == ir::DType::I32) host_ints_[v.id].assign(static_cast<size_t>(v.elements()), 0);
  blas_workspace_ = persistent(kBlasWorkspaceBytes);
}

DeviceBuffers::~DeviceBuffers() {
  // cudaFree waits for the work queued on the buffers; errors cannot be reported from here.
  cudaFree(workspace_);
  cudaFree(arena_);
}

void* DeviceBuffers::address(int id) {
  if (id < 0) return nullptr;
  const int64_t offset = plan_->memory.offset.at(static_cast<size_t>(id));
  if (offset < 0) throw std::logic_error("buffer " + value(id).name + " has no place in the arena");
  return arena_ + offset;
}

const int32_t* DeviceBuffers::host_ints(int id) const {
  if (id < 0) return nullptr;
  auto it = host_ints_.find(id);
  if (it == host_ints_.end()) throw std::logic_error("buffer " + value(id).name + " does not hold int32 values");
  return it->second.data();
}

std::vector<int32_t>& DeviceBuffers::host_ints_of(int id) {
  auto it = host_ints_.find(id);
  if (it == host_ints_.end()) throw std::logic_error("buffer " + value(id).name + " does not hold int32 values");
  return it->second;
}

Scratch DeviceBuffers::persistent(size_t bytes) {
  const Scratch s(&workspace_, persistent_bytes_, bytes);
  persistent_bytes_ += aligned(bytes);
  return s;
}

std::vector<Scratch> DeviceBuffers::transient(const std::vector<size_t>& sizes) {
  std::vector<Scratch> pieces;
  size_t offset = 0;
  for (size_t bytes : sizes) {
    pieces.push_back(Scratch(&transient_base_, offset, bytes));
    offset += aligned(bytes);
  }
  transient_bytes_ = std::max(transient_bytes_, offset);
  return pieces;
}

void DeviceBuffers::allocate_workspace() {
  const size_t total = persistent_bytes_ + transient_bytes_;
  void* workspace = nullptr;
  if (cudaMalloc(&workspace, total) != cudaSuccess) {
    cudaGetLastError();
    throw BindError(memory_shortfall(
        arena_bytes_ + static_cast<int64_t>(total),
        fmt::format("arena {:.1f} MiB + kernel workspaces {:.1f} MiB", mib(double(arena_bytes_)), mib(double(total)))));
  }
  workspace_ = static_cast<char*>(workspace);
  transient_base_ = workspace_ + persistent_bytes_;
  YNET_CUDA_CHECK(cudaMemsetAsync(workspace_, 0, total, context_->stream));
  for (const Upload& u : uploads_)
    YNET_CUDA_CHECK(cudaMemcpyAsync(u.where.as<char>(), u.bytes.data(), u.bytes.size(), cudaMemcpyHostToDevice,
                                    context_->stream));
  YNET_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
  uploads_.clear();
  YNET_CUDA_CHECK(cublasSetWorkspace(context_->blas, blas_workspace_.as<void>(), blas_workspace_.bytes()));
  for (const auto& hook : hooks_) hook();
  hooks_.clear();
}

}  // namespace ynet::runtime::cuda
