// Gradient clipping bound to the host backends.
#include "ops/op.h"
#include "ops/optim/clip/clip.h"
#include "ops/optim/clip/operands.h"

namespace ynet::ops::optim::clip {
namespace {

template <class T>
void add_steps(runtime::StepTable<T>& table) {
  auto factory = [](const ir::Node& n, runtime::Buffers<T>& b) {
    const ClipOperands o(n, b);
    auto clipper = std::make_shared<GradientClipper<T>>(std::vector<size_t>(o.sizes.begin(), o.sizes.end()));
    return runtime::make_step([clipper, o](const runtime::StepContext&) {
      if (o.global) {
        const double norm = clipper->clip_by_global_norm(o.grads, o.clip_norm);
        if (o.global_norm) *o.global_norm = static_cast<T>(norm);
      } else {
        clipper->clip_each_by_norm(o.grads, o.clip_norm);
      }
    });
  };
  table["ClipByNorm"] = factory;
  table["ClipByGlobalNorm"] = factory;
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) { add_steps(table); }
void add_cpu_steps(runtime::StepTable<float>& table) { add_steps(table); }

}  // namespace ynet::ops::optim::clip
