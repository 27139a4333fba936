#pragma once
// The operands of FramePooling's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "FramePooling"       inputs (x [B,T,F], lengths [B][, scale [F], shift [F]]), output y [B,F];
//                        attribute mode (max, mean, sum). The optional per-feature affine map is an
//                        inference BatchNorm folded into the pooling (fold_batchnorm_into_pooling):
//                        every valid frame is pooled as scale * x + shift. x may be u8, the frames'
//                        stored bytes (pool_stored_frames): each byte q then stands for
//                        dequantize_scale * q + dequantize_bias (attributes), which is what goes
//                        through the affine map.
//   "FramePooling.grad"  the gradient operands of (x, lengths) pooling: x (read in max mode only, to
//                        find the argmax again), lengths, dy; output dx. A folded pooling has none.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ops/frame_pooling/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::frame_pooling {

inline FramePoolingShape shape_of(const ir::Value& x) {
  if (x.shape.size() != 3) throw std::invalid_argument("FramePooling pools a [batch, time, features] sequence");
  return {static_cast<size_t>(x.shape[0]), static_cast<size_t>(x.shape[1]), static_cast<size_t>(x.shape[2])};
}

inline PoolingMode mode_of(const ir::Node& n) {
  const std::string mode = ir::attr_string(n.attrs, "mode", "max");
  if (mode == "max") return PoolingMode::max;
  if (mode == "mean") return PoolingMode::mean;
  if (mode == "sum") return PoolingMode::sum;
  throw std::invalid_argument("unknown pooling mode '" + mode + "'");
}

// How the values of x are read: as they are (f32), or dequantized from stored bytes (u8).
struct Dequantization {
  bool stored_bytes = false;
  double scale = 1.0, bias = 0.0;
};

inline Dequantization dequantization_of(const ir::Node& n, const ir::Value& x) {
  const bool has_attrs = n.attrs.count("dequantize_scale") > 0 && n.attrs.count("dequantize_bias") > 0;
  if (x.dtype == ir::DType::F32) {
    if (n.attrs.count("dequantize_scale") || n.attrs.count("dequantize_bias"))
      throw std::invalid_argument("FramePooling dequantizes u8 frames only, but x is f32");
    return {};
  }
  if (x.dtype != ir::DType::U8 || !has_attrs)
    throw std::invalid_argument("FramePooling pools f32 frames, or u8 frames with dequantize_scale and dequantize_bias");
  return {true, ir::attr_double(n.attrs, "dequantize_scale", 1.0), ir::attr_double(n.attrs, "dequantize_bias", 0.0)};
}

// Where a step reads stored bytes: at their arena address, which keeps them there (lending the
// backend a batch then copies it: the reference), or through the buffer's cell, which the feeder
// may point at the batch's own bytes for the step (Buffers::lend: the CPU).
enum class BytesAt { arena, cell };

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  FramePoolingShape shape;
  PoolingMode mode;
  Dequantization dequantization;
  const T* x = nullptr;                        // f32 frames
  const uint8_t* bytes = nullptr;              // stored bytes at their arena address (BytesAt::arena)
  const uint8_t* const* bytes_cell = nullptr;  // or in their cell (BytesAt::cell): read *bytes_cell as the step runs
  const int32_t* lengths;
  const T* scale = nullptr;  // the folded BatchNorm's map; nullptr without one
  const T* shift = nullptr;
  T* y;

  ForwardOperands(const ir::Node& n, B& b, BytesAt at = BytesAt::arena)
      : shape(shape_of(b.plan().graph.value(n.inputs.at(0)))),
        mode(mode_of(n)),
        dequantization(dequantization_of(n, b.plan().graph.value(n.inputs[0]))),
        lengths(b.i(n.inputs.at(1))),
        y(b.f(n.outputs.at(0))) {
    if (n.inputs.size() != 2) {
      if (n.inputs.size() != 4 || n.inputs[2] < 0 || n.inputs[3] < 0)
        throw std::invalid_argument("FramePooling takes (x, lengths) or (x, lengths, scale, shift)");
      scale = b.f(n.inputs[2]);
      shift = b.f(n.inputs[3]);
    }
    if (!dequantization.stored_bytes) {
      x = b.f(n.inputs[0]);
    } else if (at == BytesAt::arena) {
      bytes = b.u8(n.inputs[0]);
    } else if constexpr (requires { b.u8_cell(0); }) {
      bytes_cell = b.u8_cell(n.inputs[0]);
    } else {
      throw std::logic_error("these buffers have no cells to lend stored bytes through");
    }
  }
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  FramePoolingShape shape;  // of dx: x may be absent, dx never is
  PoolingMode mode;
  const T* x;  // nullptr where the plan does not keep it for the step (mean, sum)
  const int32_t* lengths;
  const T* dy;
  T* dx;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(pooling_grad(n), n, b) {}

  // x, or dx in its place where x is absent: the host kernels offset x before they look at the mode.
  const T* x_or_dx() const { return x ? x : dx; }

 private:
  static runtime::GradOperands pooling_grad(const ir::Node& n) {
    runtime::GradOperands g(n);
    if (ir::attr_int(n.attrs, "forward_inputs", 0) != 2)
      throw std::invalid_argument(
          "FramePooling.grad differentiates (x, lengths) pooling; a folded BatchNorm is inference only");
    return g;
  }
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(b.plan().graph.value(g.input_grad(0)))),
        mode(mode_of(n)),
        x(b.f(g.forward_input(0))),
        lengths(b.i(g.forward_input(1))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {
    if (!lengths || !dy || (mode == PoolingMode::max && !x))
      throw std::invalid_argument("FramePooling.grad needs the lengths, the gradient of y and, for max, x");
  }
};

}  // namespace ynet::ops::frame_pooling
