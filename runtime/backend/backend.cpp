#include "runtime/backend/backend.h"

#include <omp.h>

#include "runtime/backend/arena_backend.h"
#include "runtime/backend/cuda_module_loader.h"
#include "ops/step_tables.h"

namespace ynet::runtime {
namespace {

// oneDNN's engine and stream live as long as the backend; kernels bound to them keep references.
class CpuBackend final : public ArenaBackend<float> {
 public:
  CpuBackend() : ArenaBackend<float>("cpu", cpu_steps()), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}

 protected:
  void attach(Buffers<float>& buffers) override {
    buffers.engine = &engine_;
    buffers.stream = &stream_;
  }

 private:
  dnnl::engine engine_;
  dnnl::stream stream_;
};

}  // namespace

void Backend::train_step(const StepContext& ctx) {
  run(ir::Phase::Forward, ctx);
  run(ir::Phase::Loss, ctx);
  run(ir::Phase::Backward, ctx);
  run(ir::Phase::Optimizer, ctx);
}

void Backend::forward(const StepContext& ctx) {
  run(ir::Phase::Forward, ctx);
  run(ir::Phase::Loss, ctx);
}

std::string cuda_unavailable_reason() { return cuda_module_unavailable_reason(); }

std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options) {
  // The Debian oneDNN runs on OpenMP: one thread count serves oneDNN and our own loops.
  if (options.threads > 0) omp_set_num_threads(options.threads);
  if (name == "reference") return std::make_unique<ArenaBackend<double>>("reference", reference_steps());
  if (name == "cpu") return std::make_unique<CpuBackend>();
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    const std::string precision = name == "cuda" ? "tf32" : name.substr(5);
    // Checked here too, so that a misspelt name is a usage error whether or not CUDA can run.
    if (precision != "fp32" && precision != "tf32")
      throw std::invalid_argument("unknown precision '" + precision + "' (choose fp32 or tf32)");
    return make_cuda_backend(precision);
  }
  throw std::invalid_argument("unknown backend '" + name + "' (choose reference, cpu or cuda)");
}

}  // namespace ynet::runtime
