#pragma once
// The operands of Dense's steps, read once for every backend (Buffers<double>, Buffers<float>,
// DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "Dense"         inputs (x, weights, bias or -1), output y; attributes activation, precision
//                   (int8: inputs (x, weights, bias or -1, W_scale), see int8.h)
//   "Dense.grad"    the standard gradient operands (GradOperands) of "Dense"
//   "QuantizeDense" input weights, output W_scale; attributes rows, activation, input_unsigned
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ops/activation/kind.h"
#include "ops/dense/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::dense {

inline DenseShape shape_of(const ir::Graph& g, int x, int w, bool has_bias) {
  const ir::Value& wv = g.value(w);
  DenseShape s;
  s.inputs = static_cast<size_t>(wv.shape.at(0));
  s.outputs = static_cast<size_t>(wv.shape.at(1));
  s.rows = static_cast<size_t>(g.value(x).elements()) / s.inputs;
  s.has_bias = has_bias;
  return s;
}

inline ActivationKind activation_of(const ir::Node& n) {
  return activation_kind(ir::attr_string(n.attrs, "activation", "none"));
}

inline bool is_int8(const ir::Node& n) { return ir::attr_string(n.attrs, "precision", "fp32") == "int8"; }

// The key under which the QuantizeDense step and the int8 Dense step of one layer share the int8
// weights (Buffers::shared).
inline std::string int8_key(const ir::Node& n) { return "Dense.int8@" + n.layer; }

template <runtime::StepBuffers B>
struct ForwardOperands {
  using T = typename B::Element;
  DenseShape shape;
  ActivationKind activation;
  const T* x;
  const T* w;
  const T* bias;  // nullptr without a bias
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : shape(shape_of(b.plan().graph, n.inputs.at(0), n.inputs.at(1), n.inputs.at(2) >= 0)),
        activation(activation_of(n)),
        x(b.f(n.inputs[0])),
        w(b.f(n.inputs[1])),
        bias(b.f(n.inputs[2])),
        y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands {
  using T = typename B::Element;
  DenseShape shape;
  ActivationKind activation;
  const T* x;
  const T* w;
  const T* y;
  const T* dy;
  T* dx;  // nullptr when nothing upstream needs it
  T* dw;
  T* db;  // nullptr without a bias

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : shape(shape_of(b.plan().graph, g.forward_input(0), g.forward_input(1), g.input_grad(2) >= 0)),
        activation(activation_of(n)),
        x(b.f(g.forward_input(0))),
        w(b.f(g.forward_input(1))),
        y(b.f(g.forward_output(0))),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))),
        dw(b.f(g.input_grad(1))),
        db(b.f(g.input_grad(2))) {}
};

// Both int8 steps of one layer: what they agree on, and the buffers each reads or writes.
template <runtime::StepBuffers B>
struct Int8Operands {
  using T = typename B::Element;
  DenseShape shape;
  ActivationKind activation;
  bool input_unsigned;
  const T* w = nullptr;        // QuantizeDense
  T* w_scale = nullptr;        // written by QuantizeDense, read by Dense
  const T* x = nullptr;        // Dense
  const T* bias = nullptr;     // Dense; nullptr without a bias
  T* y = nullptr;              // Dense

  Int8Operands(const ir::Node& n, B& b)
      : activation(activation_of(n)), input_unsigned(ir::attr_bool(n.attrs, "input_unsigned", false)) {
    const ir::Graph& g = b.plan().graph;
    if (n.op == "QuantizeDense") {
      if (n.inputs.size() != 1 || n.outputs.size() != 1)
        throw std::invalid_argument("QuantizeDense expects (weights) -> (W_scale)");
      shape.inputs = static_cast<size_t>(g.value(n.inputs[0]).shape.at(0));
      shape.outputs = static_cast<size_t>(g.value(n.inputs[0]).shape.at(1));
      shape.rows = static_cast<size_t>(ir::attr_int(n.attrs, "rows", 0));
      w = b.f(n.inputs[0]);
      w_scale = b.f(n.outputs[0]);
      return;
    }
    if (n.inputs.size() != 4 || n.inputs[3] < 0)
      throw std::invalid_argument("an int8 Dense expects (x, weights, bias or -1, W_scale)");
    shape = shape_of(g, n.inputs[0], n.inputs[1], n.inputs[2] >= 0);
    x = b.f(n.inputs[0]);
    bias = b.f(n.inputs[2]);
    w_scale = b.f(n.inputs[3]);
    y = b.f(n.outputs.at(0));
  }
};

}  // namespace ynet::ops::dense
