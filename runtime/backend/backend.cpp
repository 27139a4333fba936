#include "runtime/backend/backend.h"

#include <omp.h>

#include "runtime/backend/arena_backend.h"
#include "ops/step_tables.h"
#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
#include "runtime/backend/cuda/cuda_backend.h"
#endif

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

std::string cuda_unavailable_reason() {
#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
  return cuda::unavailable_reason();
#else
  return "this build of ynet has no CUDA backend: it was built without the CUDA toolkit";
#endif
}

std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options) {
  // The Debian oneDNN runs on OpenMP: one thread count serves oneDNN and our own loops.
  if (options.threads > 0) omp_set_num_threads(options.threads);
  if (name == "reference") return std::make_unique<ArenaBackend<double>>("reference", reference_steps());
  if (name == "cpu") return std::make_unique<CpuBackend>();
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
#if defined(YNET_HAVE_CUDA) && YNET_HAVE_CUDA
    return cuda::make_backend(name == "cuda" ? cuda::Precision::tf32 : cuda::parse_precision(name.substr(5)));
#else
    throw std::runtime_error(cuda_unavailable_reason());
#endif
  }
  throw std::invalid_argument("unknown backend '" + name + "' (choose reference, cpu or cuda)");
}

}  // namespace ynet::runtime
