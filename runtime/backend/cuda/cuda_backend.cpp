#include "runtime/backend/cuda/cuda_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <vector>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/library_check.h"
#include "ops/support/cuda/step_table.h"
#include "runtime/backend/bound_plan.h"

namespace ynet::runtime::cuda {

namespace {

// The kernels are built for compute capability 9.0 (sm_90 code and compute_90 PTX): older GPUs
// cannot run them.
constexpr int kMinimumMajor = 9;
// Host staging of copies that are not batch inputs (parameters, checkpoints, reads) goes through
// a pinned chunk of this size.
constexpr size_t kChunkBytes = size_t{8} << 20;

// The stream and library handles of one backend, created first and destroyed last.
class DeviceHandles {
 public:
  explicit DeviceHandles(Precision precision) {
    context.precision = precision;
    YNET_CUDA_CHECK(cudaSetDevice(context.device));
    YNET_CUDA_CHECK(cudaStreamCreateWithFlags(&context.stream, cudaStreamNonBlocking));
    YNET_CUDA_CHECK(cublasCreate(&context.blas));
    YNET_CUDA_CHECK(cublasSetStream(context.blas, context.stream));
    // Products go through cublasGemmEx with an explicit compute type; the math mode only keeps
    // cuBLAS from choosing TF32 behind our back when fp32 was asked for.
    YNET_CUDA_CHECK(cublasSetMathMode(context.blas, precision == Precision::tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                                  : CUBLAS_PEDANTIC_MATH));
    YNET_CUDA_CHECK(cublasLtCreate(&context.lt));
    YNET_CUDA_CHECK(cudnnCreate(&context.dnn));
    YNET_CUDA_CHECK(cudnnSetStream(context.dnn, context.stream));
  }
  ~DeviceHandles() {
    cudaStreamSynchronize(context.stream);
    cudnnDestroy(context.dnn);
    cublasLtDestroy(context.lt);
    cublasDestroy(context.blas);
    cudaStreamDestroy(context.stream);
  }
  DeviceHandles(const DeviceHandles&) = delete;
  DeviceHandles& operator=(const DeviceHandles&) = delete;

  DeviceContext context;
};

// Pinned host memory for copies: every batch input (features, lengths, labels) has a region of its
// own, so that writing the next batch waits only for the copy of that input's previous batch;
// everything else passes through one chunk, a piece at a time.
class Staging {
 public:
  explicit Staging(const plan::Plan& plan) {
    size_t bytes = kChunkBytes;
    for (const ir::Value& v : plan.graph.values) {
      if (v.kind != ir::BufferKind::Input || plan.memory.offset.at(static_cast<size_t>(v.id)) < 0) continue;
      regions_[v.id].offset = bytes;
      bytes += (static_cast<size_t>(v.bytes()) + 255) / 256 * 256;
    }
    void* pinned = nullptr;
    if (cudaHostAlloc(&pinned, bytes, cudaHostAllocDefault) != cudaSuccess) {
      cudaGetLastError();
      throw BindError(fmt::format("cannot allocate {:.1f} MiB of pinned host memory for the batch inputs",
                                  static_cast<double>(bytes) / (1 << 20)));
    }
    pinned_ = static_cast<char*>(pinned);
    for (auto& [id, region] : regions_) YNET_CUDA_CHECK(cudaEventCreateWithFlags(&region.copied, cudaEventDisableTiming));
  }
  ~Staging() {
    for (auto& [id, region] : regions_) cudaEventDestroy(region.copied);
    cudaFreeHost(pinned_);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  void to_device(int value, const void* source, size_t bytes, void* device, cudaStream_t stream) {
    auto it = regions_.find(value);
    if (it != regions_.end()) {
      Region& r = it->second;
      YNET_CUDA_CHECK(cudaEventSynchronize(r.copied));
      std::memcpy(pinned_ + r.offset, source, bytes);
      YNET_CUDA_CHECK(cudaMemcpyAsync(device, pinned_ + r.offset, bytes, cudaMemcpyHostToDevice, stream));
      YNET_CUDA_CHECK(cudaEventRecord(r.copied, stream));
      return;
    }
    for (size_t done = 0; done < bytes; done += kChunkBytes) {
      const size_t n = std::min(kChunkBytes, bytes - done);
      std::memcpy(pinned_, static_cast<const char*>(source) + done, n);
      YNET_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(device) + done, pinned_, n, cudaMemcpyHostToDevice, stream));
      YNET_CUDA_CHECK(cudaStreamSynchronize(stream));
    }
  }

  void to_host(const void* device, void* target, size_t bytes, cudaStream_t stream) {
    for (size_t done = 0; done < bytes; done += kChunkBytes) {
      const size_t n = std::min(kChunkBytes, bytes - done);
      YNET_CUDA_CHECK(cudaMemcpyAsync(pinned_, static_cast<const char*>(device) + done, n, cudaMemcpyDeviceToHost, stream));
      YNET_CUDA_CHECK(cudaStreamSynchronize(stream));
      std::memcpy(static_cast<char*>(target) + done, pinned_, n);
    }
  }

 private:
  struct Region {
    size_t offset = 0;
    cudaEvent_t copied = nullptr;
  };
  char* pinned_ = nullptr;
  std::map<int, Region> regions_;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(Precision precision) : handles_(precision) {}

  std::string name() const override { return std::string("cuda:") + to_string(handles_.context.precision); }

  void bind(const plan::Plan& plan) override {
    bound_.clear();
    staging_.reset();
    buffers_.reset();
    plan_ = &plan;
    buffers_ = std::make_unique<DeviceBuffers>(plan, handles_.context);
    bound_.bind(plan, cuda_steps(), *buffers_, "cuda");
    try {
      buffers_->allocate_workspace();
    } catch (const BindError&) {
      throw;
    } catch (const std::exception& e) {
      throw BindError(fmt::format("setting up the kernels' workspace: {}", e.what()));
    }
    staging_ = std::make_unique<Staging>(plan);
  }

  void run(ir::Phase phase, const StepContext& ctx) override { bound_.run(phase, ctx); }
  std::span<const int> steps_of(ir::Phase phase) const override { return bound_.steps_of(phase); }
  void run_step(ir::Phase phase, size_t position, const StepContext& ctx) override {
    bound_.run_step(phase, position, ctx);
  }

  void write(int value, std::span<const float> data) override {
    checked(value, data.size(), ir::DType::F32);
    staging_->to_device(value, data.data(), data.size_bytes(), buffers_->f(value), handles_.context.stream);
  }
  void write(int value, std::span<const int32_t> data) override {
    checked(value, data.size(), ir::DType::I32);
    std::vector<int32_t>& mirror = buffers_->host_ints_of(value);
    std::copy(data.begin(), data.end(), mirror.begin());
    staging_->to_device(value, data.data(), data.size_bytes(), buffers_->i(value), handles_.context.stream);
  }
  void write(int value, std::span<const uint8_t> data) override {
    checked(value, data.size(), ir::DType::U8);
    staging_->to_device(value, data.data(), data.size_bytes(), buffers_->u8(value), handles_.context.stream);
  }
  void read(int value, std::span<float> out) const override {
    checked(value, out.size(), ir::DType::F32);
    staging_->to_host(buffers_->f(value), out.data(), out.size_bytes(), handles_.context.stream);
  }
  void synchronize() override { YNET_CUDA_CHECK(cudaStreamSynchronize(handles_.context.stream)); }

 private:
  void checked(int value, size_t size, ir::DType dtype) const {
    check_buffer_copy(buffers_ ? plan_ : nullptr, value, size, dtype);
  }

  // Destroyed in reverse order: the steps (whose kernels use the buffers' memory), the staging,
  // the buffers, and last the stream and handles everything was queued on.
  DeviceHandles handles_;
  std::unique_ptr<DeviceBuffers> buffers_;
  std::unique_ptr<Staging> staging_;
  BoundPlan<DeviceBuffers, StepTable> bound_;
};

}  // namespace

std::string unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return fmt::format("no CUDA device: {} (cudaGetDeviceCount)", cudaGetErrorString(status));
  }
  if (count == 0) return "no CUDA device found";
  int major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0) != cudaSuccess) {
    cudaGetLastError();
    return "no CUDA device: cannot read the compute capability of device 0";
  }
  if (major < kMinimumMajor)
    return fmt::format("no CUDA device this build can use: device 0 has compute capability {}.{}, the kernels need {}.0",
                       major, minor, kMinimumMajor);
  return "";
}

std::unique_ptr<Backend> make_backend(Precision precision) {
  const std::string why = unavailable_reason();
  if (!why.empty()) throw CudaUnavailable(why);
  return std::make_unique<CudaBackend>(precision);
}

}  // namespace ynet::runtime::cuda
