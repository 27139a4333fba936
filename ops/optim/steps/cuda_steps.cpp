// The optimizer-phase steps bound to the CUDA backend: clipping and the fused update. Operands as on
// the host backends (steps.cpp): per parameter, param, grad, then `slots` optimizer buffers.
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"
#include "ops/optim/adam/adam.h"
#include "ops/optim/clip/cuda.h"
#include "ops/optim/rmsprop/rmsprop.h"
#include "ops/optim/sgd/sgd.h"
#include "ops/optim/steps/cuda.h"

namespace ynet::ops::optim {
namespace {

// The update's table of parameters and its number of chunks.
struct UpdateTable {
  runtime::cuda::Scratch entries;
  int count = 0;
  int64_t chunks = 0;
};

UpdateTable update_table(const ir::Node& node, runtime::cuda::DeviceBuffers& b) {
  const size_t slots = static_cast<size_t>(ir::attr_int(node.attrs, "slots", 0));
  const size_t stride = 2 + slots;
  if (node.inputs.size() % stride != 0 || slots > 2)
    throw std::invalid_argument(fmt::format("{} expects (param, grad, {} slots) per parameter", node.op, slots));
  std::vector<cuda::UpdateEntry> entries;
  int64_t chunks = 0;
  for (size_t i = 0; i < node.inputs.size(); i += stride) {
    cuda::UpdateEntry e{b.f(node.inputs[i]), b.f(node.inputs[i + 1]), slots > 0 ? b.f(node.inputs[i + 2]) : nullptr,
                        slots > 1 ? b.f(node.inputs[i + 3]) : nullptr, b.elements(node.inputs[i]), chunks};
    chunks += cuda::update_chunks(e.count);
    entries.push_back(e);
  }
  UpdateTable t;
  t.count = static_cast<int>(entries.size());
  t.chunks = chunks;
  t.entries = b.upload(entries);
  return t;
}

runtime::cuda::StepFactory update_factory(cuda::Rule rule) {
  return [rule](const ir::Node& node, runtime::cuda::DeviceBuffers& b) {
    const UpdateTable table = update_table(node, b);
    cuda::UpdateCoefficients c;
    c.rule = rule;
    RmsPropSettings rms;
    AdamSettings adam;
    SgdSettings sgd;
    if (rule == cuda::Rule::rmsprop) {
      c.one_minus_decay = 1.f - static_cast<float>(ir::attr_double(node.attrs, "decay", rms.decay));
      c.momentum = static_cast<float>(ir::attr_double(node.attrs, "momentum", rms.momentum));
      c.epsilon = static_cast<float>(ir::attr_double(node.attrs, "epsilon", rms.epsilon));
    } else if (rule == cuda::Rule::adam) {
      adam.beta1 = ir::attr_double(node.attrs, "beta1", adam.beta1);
      adam.beta2 = ir::attr_double(node.attrs, "beta2", adam.beta2);
      c.one_minus_beta1 = 1.f - static_cast<float>(adam.beta1);
      c.one_minus_beta2 = 1.f - static_cast<float>(adam.beta2);
      c.epsilon = static_cast<float>(ir::attr_double(node.attrs, "epsilon", adam.epsilon));
    } else {
      c.momentum = static_cast<float>(ir::attr_double(node.attrs, "momentum", sgd.momentum));
      c.nesterov = ir::attr_double(node.attrs, "nesterov", 0) != 0;  // optimizer arguments are numbers in the plan
    }
    cudaStream_t stream = b.stream();
    return runtime::make_step([table, c, adam, stream](const runtime::StepContext& ctx) mutable {
      if (c.rule == cuda::Rule::adam) {
        // lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t) with t = step + 1, in double as adam.h does.
        const double t = static_cast<double>(ctx.step) + 1;
        c.learning_rate = static_cast<float>(ctx.learning_rate * std::sqrt(1.0 - std::pow(adam.beta2, t)) /
                                             (1.0 - std::pow(adam.beta1, t)));
      } else {
        c.learning_rate = static_cast<float>(ctx.learning_rate);
      }
      cuda::update(table.entries.as<const cuda::UpdateEntry>(), table.count, table.chunks, c, stream);
    });
  };
}

runtime::cuda::StepFactory clip_factory() {
  return [](const ir::Node& node, runtime::cuda::DeviceBuffers& b) {
    const double clip_norm = ir::attr_double(node.attrs, "clip_norm", 1.0);
    const bool global = node.op == "ClipByGlobalNorm";
    std::vector<runtime::cuda::SquaresEntry> squares;
    std::vector<cuda::ScaleEntry> scale;
    int64_t chunks = 0;
    for (int v : node.inputs) {
      squares.push_back({b.f(v), b.elements(v), chunks});
      scale.push_back({b.f(v), b.elements(v), chunks});
      chunks += runtime::cuda::squares_chunks(b.elements(v));
    }
    const int count = static_cast<int>(node.inputs.size());
    const runtime::cuda::Scratch squares_table = b.upload(squares);
    const runtime::cuda::Scratch scale_table = b.upload(scale);
    const auto scratch = b.transient({static_cast<size_t>(chunks) * sizeof(double), static_cast<size_t>(count) * sizeof(float)});
    float* norm_out = global && node.outputs.size() > node.inputs.size() ? b.f(node.outputs.back()) : nullptr;
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::clip(squares_table.as<const runtime::cuda::SquaresEntry>(), scale_table.as<const cuda::ScaleEntry>(), count,
                 chunks, clip_norm, global, scratch[0].as<double>(), scratch[1].as<float>(), norm_out, stream);
    });
  };
}

}  // namespace

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["RMSProp"] = update_factory(cuda::Rule::rmsprop);
  table["Adam"] = update_factory(cuda::Rule::adam);
  table["SGD"] = update_factory(cuda::Rule::sgd);
  table["ClipByNorm"] = clip_factory();
  table["ClipByGlobalNorm"] = clip_factory();
}

}  // namespace ynet::ops::optim
