#pragma once
// The operands of TimeWeightedSum's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "TimeWeightedSum"       inputs (x [B,T,F], lengths [B]), output y [B,F]; attributes weights
//                           (linear, uniform), max_frames (default T)
//   "TimeWeightedSum.grad"  lengths and dy, output dx; x is not read
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "ops/time_weighted_sum/reference.h"
#include "plan/graph.h"

namespace ynet::ops::time_weighted_sum {

inline TimeWeightedSumShape shape_of(const ir::Node& n, const ir::Value& x) {
  if (x.shape.size() != 3) throw std::invalid_argument("TimeWeightedSum sums a [batch, time, features] sequence");
  TimeWeightedSumShape s{static_cast<size_t>(x.shape[0]), static_cast<size_t>(x.shape[1]),
                         static_cast<size_t>(x.shape[2]), 0};
  const int64_t max_frames = ir::attr_int(n.attrs, "max_frames", x.shape[1]);
  if (max_frames <= 0) throw std::invalid_argument("TimeWeightedSum needs a positive max_frames");
  s.max_frames = static_cast<size_t>(max_frames);
  return s;
}

inline Weighting weighting_of(const ir::Node& n) {
  const std::string w = ir::attr_string(n.attrs, "weights", "linear");
  if (w == "linear") return Weighting::linear;
  if (w == "uniform") return Weighting::uniform;
  throw std::invalid_argument("unknown TimeWeightedSum weights '" + w + "'");
}

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  TimeWeightedSumShape shape;
  Weighting weighting;
  const T* x;
  const int32_t* lengths;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(n.inputs.at(0)))),
        weighting(weighting_of(n)),
        x(b.f(n.inputs[0])),
        lengths(b.i(n.inputs.at(1))),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  TimeWeightedSumShape shape;  // of dx, which exists wherever the step does
  Weighting weighting;
  const int32_t* lengths;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(n, b.plan().graph.value(g.input_grad(0)))),
        weighting(weighting_of(n)),
        lengths(b.i(g.forward_input(1))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {}
};

}  // namespace ynet::ops::time_weighted_sum
