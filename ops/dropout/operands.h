#pragma once
// The operands of Dropout's steps, read once for every backend (Buffers<double>, Buffers<float>,
// DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "Dropout"       input x, output y; attributes rate, stream
//   "Dropout.grad"  dy, output dx; the attributes of "Dropout". The mask is regenerated from the same
//                   key, so neither x nor a stored mask is read.
#include <cstddef>
#include <cstdint>

#include "ops/support/philox.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::dropout {

// What a step's mask depends on besides the element: the forward and backward steps of one layer
// read the same attributes, so they draw the same mask at every training step.
struct Mask {
  double rate;      // probability of dropping
  uint32_t stream;  // the layer's tensor id in the Philox counter

  explicit Mask(const ir::Node& n)
      : rate(ir::attr_double(n.attrs, "rate", 0.5)),
        stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))) {}
  philox::MaskKey key(const runtime::StepContext& ctx) const {
    return {ctx.seed, static_cast<uint64_t>(ctx.step), stream};
  }
};

// The elements of one batch row of x ([B, F] or [B, T, F], batch-major): a process holding a slice
// of a data-parallel batch draws the mask from element first_row * row_elements of the global
// batch's tensor on (BatchSlice::first_element), the bits one process draws for those rows.
inline uint64_t row_elements(const ir::Value& x) {
  return x.shape.empty() || x.shape[0] == 0 ? 0 : static_cast<uint64_t>(x.elements() / x.shape[0]);
}
inline uint64_t first_element(const runtime::StepContext& ctx, uint64_t row_elements) {
  return static_cast<uint64_t>(ctx.slice.first_element(static_cast<int64_t>(row_elements)));
}

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  Mask mask;
  size_t count;  // elements of x and y
  uint64_t row_elements;
  const T* x;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : mask(n),
        count(static_cast<size_t>(b.elements(n.inputs.at(0)))),
        row_elements(dropout::row_elements(b.plan().graph.value(n.inputs[0]))),
        x(b.f(n.inputs[0])),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  Mask mask;
  size_t count;
  uint64_t row_elements;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : mask(n),
        count(static_cast<size_t>(b.elements(g.output_grad(0)))),
        row_elements(dropout::row_elements(b.plan().graph.value(g.output_grad(0)))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::dropout
