#pragma once
// The backend interface: what every runtime (the double-precision reference, oneDNN on the CPU,
// CUDA) offers the trainer, the evaluator and `ynet verify`. A backend binds a plan once (arena,
// kernels, primitives, descriptors), then runs its steps as often as asked without allocating.
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "ops/op.h"
#include "plan/plan.h"

namespace ynet::runtime {

struct BackendOptions {
  int threads = 0;  // 0: every core
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // Allocates the arena, initialises nothing, binds every step to a kernel. Throws BindError.
  virtual void bind(const plan::Plan& plan) = 0;
  const plan::Plan& plan() const { return *plan_; }

  // Runs every step of the given phase, in plan order (the phases of a train plan run in the order
  // prologue, forward, loss, backward, optimizer).
  virtual void run(ir::Phase phase, const StepContext& ctx) = 0;

  // One step at a time, for profiles (`ynet bench --profile`): the phase's steps in plan order, each
  // identified by its index into plan().graph.nodes.
  virtual std::span<const int> steps_of(ir::Phase phase) const = 0;
  virtual void run_step(ir::Phase phase, size_t position, const StepContext& ctx) = 0;

  // Copies between host memory and a plan buffer; the span must hold exactly the buffer's elements.
  virtual void write(int value, std::span<const float> data) = 0;
  virtual void write(int value, std::span<const int32_t> data) = 0;
  virtual void write(int value, std::span<const uint8_t> data) = 0;
  // Like write, but the steps may read `data` where it is instead of a copy (a host backend whose
  // steps read the buffer through Buffers::u8_cell): `data` must stay as it is until the steps
  // have run, and the next write or lend of the buffer ends the loan.
  virtual void lend(int value, std::span<const uint8_t> data) { write(value, data); }
  virtual void read(int value, std::span<float> out) const = 0;
  virtual void synchronize() = 0;
  // The host memory of a float buffer, for collectives that work on it in place (data-parallel
  // training); nullptr where the buffers live on a device or hold doubles (the reference).
  virtual float* host_floats(int value) {
    (void)value;
    return nullptr;
  }

  // Runs a whole training step: forward, loss, backward, optimizer.
  void train_step(const StepContext& ctx);
  // Runs the forward (and loss, when the plan has one) phases.
  void forward(const StepContext& ctx);

 protected:
  const plan::Plan* plan_ = nullptr;
};

// "reference" (plain C++ in double), "cpu" (oneDNN), "cuda" (cuDNN, cuBLAS; float32 matrix
// products in TF32), "cuda:fp32" or "cuda:tf32". Throws std::invalid_argument for other names and
// std::runtime_error when the CUDA backend cannot run here (see cuda_unavailable_reason). The CUDA
// backend is a module loaded on first use (runtime/backend/cuda_module_loader.h).
std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options);

// Why make_backend("cuda") cannot work in this build on this machine (built without CUDA, the
// CUDA backend module missing or unloadable, no driver, no device), or "" when it can. Loads the
// module when this build has one.
std::string cuda_unavailable_reason();

}  // namespace ynet::runtime
