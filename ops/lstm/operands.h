#pragma once
// The operands of the LSTM stack's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "LSTM"       inputs (x [B,T,in], lengths [B], then per layer l: input_weights [in_l, 4H],
//                recurrent_weights [H, 4H], bias [4H]), output y [B,T,H]; attributes hidden, layers,
//                residual, forget_bias, training, dropout, stream (the dropout's Philox stream)
//   "LSTM.grad"  the standard gradient operands (GradOperands) of "LSTM": its inputs again (not y,
//                see lower.cpp), dy; writes dx (-1 when nothing upstream needs it) and the gradients
//                of every layer's parameters
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/lstm/lstm_shape.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::lstm {

inline LstmShape shape_of(const ir::Node& n, const ir::Value& x) {
  LstmShape s;
  s.batch = x.shape.at(0);
  s.time = x.shape.at(1);
  s.input = x.shape.at(2);
  s.hidden = ir::attr_int(n.attrs, "hidden", 1);
  s.layers = ir::attr_int(n.attrs, "layers", 1);
  s.residual = ir::attr_bool(n.attrs, "residual", false);
  s.forget_bias = ir::attr_double(n.attrs, "forget_bias", 1.0);
  s.validate();
  return s;
}

// Layer l's input_weights among the forward step's inputs (after x and lengths); its
// recurrent_weights and bias follow, and the backward step's outputs hold their gradients alike.
inline size_t layer_operand(int64_t l) { return 2 + 3 * static_cast<size_t>(l); }

// What both steps of a layer read: the forward step's inputs and the attributes its kernels are
// built from (whichever step binds first builds the layer's shared kernel).
template <runtime::StepBuffers B>
struct StackOperands {
  using T = typename B::Element;
  LstmShape shape;
  bool training;
  double dropout;       // the rate between layers; applied in training only
  uint32_t rng_stream;  // keys the dropout masks
  const T* x;
  const int32_t* lengths;
  // The lengths as last copied to the host, where the buffers keep such a copy (the device
  // buffers: cuDNN takes sequence lengths in a host array); nullptr elsewhere.
  const int32_t* host_lengths = nullptr;
  std::vector<LayerParams<T>> params;  // per layer

 protected:
  // input(i): the id of the forward step's i-th input.
  template <class Input>
  StackOperands(const ir::Node& n, B& b, Input input)
      : shape(shape_of(n, b.plan().graph.value(input(0)))),
        training(ir::attr_bool(n.attrs, "training", false)),
        dropout(ir::attr_double(n.attrs, "dropout", 0.0)),
        rng_stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))),
        x(b.f(input(0))),
        lengths(b.i(input(1))) {
    if constexpr (requires { b.host_ints(0); }) host_lengths = b.host_ints(input(1));
    for (int64_t l = 0; l < shape.layers; ++l) {
      const size_t i = layer_operand(l);
      params.push_back({b.f(input(i)), b.f(input(i + 1)), b.f(input(i + 2))});
    }
  }
};

template <runtime::StepBuffers B>
struct ForwardOperands : StackOperands<B> {
  using T = typename B::Element;
  T* y;

  ForwardOperands(const ir::Node& n, B& b)
      : StackOperands<B>(n, b, [&](size_t i) { return n.inputs.at(i); }), y(b.f(n.outputs.at(0))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands : StackOperands<B> {
  using T = typename B::Element;
  const T* dy;
  T* dx;  // nullptr when nothing upstream needs it
  std::vector<LayerGrads<T>> grads;  // per layer

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : StackOperands<B>(n, b, [&](size_t i) { return g.forward_input(i); }),
        dy(b.f(g.output_grad(0))),
        dx(b.f(g.input_grad(0))) {
    for (int64_t l = 0; l < this->shape.layers; ++l) {
      const size_t i = layer_operand(l);
      grads.push_back({b.f(g.input_grad(i)), b.f(g.input_grad(i + 1)), b.f(g.input_grad(i + 2))});
    }
  }
};

}  // namespace ynet::ops::lstm
