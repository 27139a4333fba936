#pragma once
// The operands of a fused update step ("RMSProp", "Adam", "SGD"), read once for every backend:
// per trainable parameter, inputs (param, grad, slot...) with `slots` optimizer buffers each
// (attribute "slots", at most two), updated in place. See compiler/passes/optimizer.cpp.
#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ops/support/step_buffers.h"
#include "plan/graph.h"

namespace ynet::ops::optim {

template <runtime::StepBuffers B>
struct UpdateOperands {
  using T = typename B::Element;
  struct Parameter {
    T* param;
    const T* grad;
    T* slot0;  // RMSProp: mean square; Adam: first moment; SGD: accumulation (nullptr without momentum)
    T* slot1;  // RMSProp: momentum (nullptr without); Adam: second moment
    int64_t count;
  };
  std::vector<Parameter> parameters;

  UpdateOperands(const ir::Node& n, B& b) {
    const size_t slots = static_cast<size_t>(ir::attr_int(n.attrs, "slots", 0));
    const size_t stride = 2 + slots;
    if (n.inputs.size() % stride != 0 || slots > 2)
      throw std::invalid_argument(fmt::format("{} expects (param, grad, {} slots) per parameter", n.op, slots));
    for (size_t i = 0; i < n.inputs.size(); i += stride)
      parameters.push_back({b.f(n.inputs[i]), b.f(n.inputs[i + 1]), slots > 0 ? b.f(n.inputs[i + 2]) : nullptr,
                            slots > 1 ? b.f(n.inputs[i + 3]) : nullptr, b.elements(n.inputs[i])});
  }
};

}  // namespace ynet::ops::optim
