#pragma once
// The clipping steps' operands, read once for every backend:
//   "ClipByNorm"        inputs: every trainable gradient; outputs: the same, clipped in place
//   "ClipByGlobalNorm"  the same, plus one output: the global norm before clipping (a scalar)
// attribute clip_norm. See compiler/passes/optimizer.cpp.
#include <cstdint>
#include <vector>

#include "ops/support/step_buffers.h"
#include "plan/graph.h"

namespace ynet::ops::optim::clip {

template <runtime::StepBuffers B>
struct ClipOperands {
  using T = typename B::Element;
  double clip_norm;
  bool global;
  std::vector<T*> grads;
  std::vector<int64_t> sizes;
  T* global_norm;  // nullptr for ClipByNorm

  ClipOperands(const ir::Node& n, B& b)
      : clip_norm(ir::attr_double(n.attrs, "clip_norm", 1.0)), global(n.op == "ClipByGlobalNorm") {
    for (int v : n.inputs) {
      grads.push_back(b.f(v));
      sizes.push_back(b.elements(v));
    }
    global_norm = global && n.outputs.size() > n.inputs.size() ? b.f(n.outputs.back()) : nullptr;
  }
};

}  // namespace ynet::ops::optim::clip
