// The optimizer-phase steps of a plan bound to the host backends: clipping and the fused update.
// Update steps read, per parameter: param, grad, then `slots` optimizer buffers (see docs/plan.md).
#include <fmt/format.h>

#include <stdexcept>

#include "ops/op.h"
#include "ops/optim/adam/adam.h"
#include "ops/optim/clip/clip.h"
#include "ops/optim/rmsprop/rmsprop.h"
#include "ops/optim/sgd/sgd.h"

namespace ynet::ops::optim {
namespace {

template <class T>
struct ParamSlots {
  T* param;
  const T* grad;
  std::vector<T*> slots;
  size_t count;
};

template <class T>
std::vector<ParamSlots<T>> param_slots(const ir::Node& node, runtime::Buffers<T>& b) {
  const size_t slots = static_cast<size_t>(ir::attr_int(node.attrs, "slots", 0));
  const size_t stride = 2 + slots;
  if (node.inputs.size() % stride != 0)
    throw std::invalid_argument(fmt::format("{} expects (param, grad, {} slots) per parameter", node.op, slots));
  std::vector<ParamSlots<T>> out;
  for (size_t i = 0; i < node.inputs.size(); i += stride) {
    ParamSlots<T> p{b.f(node.inputs[i]), b.f(node.inputs[i + 1]), {}, static_cast<size_t>(b.elements(node.inputs[i]))};
    for (size_t s = 0; s < slots; ++s) p.slots.push_back(b.f(node.inputs[i + 2 + s]));
    out.push_back(std::move(p));
  }
  return out;
}

template <class T>
void add_steps(runtime::StepTable<T>& table) {
  table["RMSProp"] = [](const ir::Node& node, runtime::Buffers<T>& b) {
    RmsPropSettings s;
    s.decay = ir::attr_double(node.attrs, "decay", s.decay);
    s.momentum = ir::attr_double(node.attrs, "momentum", s.momentum);
    s.epsilon = ir::attr_double(node.attrs, "epsilon", s.epsilon);
    auto params = param_slots(node, b);
    return runtime::make_step([s, params](const runtime::StepContext& ctx) {
      for (const auto& p : params)
        rmsprop_step<T>(s, ctx.learning_rate, p.count, p.grad, p.param, p.slots.at(0),
                        p.slots.size() > 1 ? p.slots[1] : nullptr);
    });
  };
  table["Adam"] = [](const ir::Node& node, runtime::Buffers<T>& b) {
    AdamSettings s;
    s.beta1 = ir::attr_double(node.attrs, "beta1", s.beta1);
    s.beta2 = ir::attr_double(node.attrs, "beta2", s.beta2);
    s.epsilon = ir::attr_double(node.attrs, "epsilon", s.epsilon);
    auto params = param_slots(node, b);
    return runtime::make_step([s, params](const runtime::StepContext& ctx) {
      for (const auto& p : params)
        adam_step<T>(s, ctx.learning_rate, static_cast<uint64_t>(ctx.step) + 1, p.count, p.grad, p.param,
                     p.slots.at(0), p.slots.at(1));
    });
  };
  table["SGD"] = [](const ir::Node& node, runtime::Buffers<T>& b) {
    SgdSettings s;
    s.momentum = ir::attr_double(node.attrs, "momentum", s.momentum);
    s.nesterov = ir::attr_double(node.attrs, "nesterov", 0) != 0;  // optimizer arguments are numbers in the plan
    auto params = param_slots(node, b);
    return runtime::make_step([s, params](const runtime::StepContext& ctx) {
      for (const auto& p : params)
        sgd_step<T>(s, ctx.learning_rate, p.count, p.grad, p.param, p.slots.empty() ? nullptr : p.slots[0]);
    });
  };
  auto clip_factory = [](const ir::Node& node, runtime::Buffers<T>& b) {
    const double clip_norm = ir::attr_double(node.attrs, "clip_norm", 1.0);
    const bool global = node.op == "ClipByGlobalNorm";
    std::vector<T*> grads;
    std::vector<size_t> sizes;
    for (int v : node.inputs) {
      grads.push_back(b.f(v));
      sizes.push_back(static_cast<size_t>(b.elements(v)));
    }
    T* norm_out = global && node.outputs.size() > node.inputs.size() ? b.f(node.outputs.back()) : nullptr;
    auto clipper = std::make_shared<GradientClipper<T>>(sizes);
    return runtime::make_step([clipper, grads, clip_norm, global, norm_out](const runtime::StepContext&) {
      if (global) {
        const double norm = clipper->clip_by_global_norm(grads, clip_norm);
        if (norm_out) *norm_out = static_cast<T>(norm);
      } else {
        clipper->clip_each_by_norm(grads, clip_norm);
      }
    });
  };
  table["ClipByNorm"] = clip_factory;
  table["ClipByGlobalNorm"] = clip_factory;
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) { add_steps(table); }
void add_cpu_steps(runtime::StepTable<float>& table) { add_steps(table); }

}  // namespace ynet::ops::optim
