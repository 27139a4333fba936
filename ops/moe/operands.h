#pragma once
// The operands of the MoE layer's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers): steps.cpp and cuda_steps.cpp only construct kernels and call them.
//   "MoE"       inputs (x [rows, F] or [B,T,F], lengths or -1, gate_weights [F, E], noise_weights
//               [F, E] or -1, then per expert layer j: weights [E, in_j, out_j], bias [E, out_j] or
//               -1), outputs (y, aux_loss); attributes experts, top_k, noisy, w_importance, w_load,
//               expert_units, expert_activations, training, stream (the gating noise's Philox stream)
//   "MoE.grad"  the standard gradient operands (GradOperands) of "MoE": its inputs again, dy and
//               d_aux_loss (-1 when no loss reads it); writes dx (-1 when nothing upstream needs it)
//               and the gradients of the gate, noise and expert parameters
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ops/moe/moe_shape.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::moe {

// The ids of each expert layer's weights and bias (-1 without one): operands 4 + 2j and 5 + 2j of
// the forward step, after x, lengths, gate_weights and noise_weights; the backward step's outputs
// hold their gradients alike. operand(i): the id of operand i, of `operands`.
template <class Operand>
std::vector<std::pair<int, int>> expert_operands(size_t layers, size_t operands, Operand operand) {
  constexpr size_t kFirstExpertOperand = 4;
  if (kFirstExpertOperand + 2 * layers > operands)
    throw std::invalid_argument("MoE: expert_units names more layers than the step has operands for");
  std::vector<std::pair<int, int>> ids;
  for (size_t j = 0; j < layers; ++j)
    ids.emplace_back(operand(kFirstExpertOperand + 2 * j), operand(kFirstExpertOperand + 2 * j + 1));
  return ids;
}

// How many Dense layers an expert has.
inline size_t expert_layers(const ir::Node& n) {
  return std::get<std::vector<int64_t>>(n.attrs.at("expert_units")).size();
}

// expert_ids: expert_operands of the forward step's inputs.
inline MoeShape shape_of(const ir::Node& n, const ir::Value& x, const std::vector<std::pair<int, int>>& expert_ids) {
  MoeShape s;
  s.batch = x.shape.at(0);
  s.time = x.shape.size() == 3 ? x.shape.at(1) : 1;
  s.input = x.shape.back();
  s.experts = ir::attr_int(n.attrs, "experts", 1);
  s.top_k = ir::attr_int(n.attrs, "top_k", 1);
  s.noisy = ir::attr_bool(n.attrs, "noisy", true);
  s.w_importance = ir::attr_double(n.attrs, "w_importance", 0.1);
  s.w_load = ir::attr_double(n.attrs, "w_load", 0.1);
  const auto& units = std::get<std::vector<int64_t>>(n.attrs.at("expert_units"));
  std::stringstream activations(ir::attr_string(n.attrs, "expert_activations", ""));
  std::string activation;
  for (size_t j = 0; j < units.size(); ++j) {
    std::getline(activations, activation, ',');
    const bool bias = expert_ids.at(j).second >= 0;
    s.expert.push_back({units[j], activation_kind(activation.empty() ? "none" : activation), bias});
  }
  s.validate();
  return s;
}

// What both steps of a layer read: the forward step's inputs and the attributes its kernels are
// built from (whichever step binds first builds the layer's shared kernel).
template <runtime::StepBuffers B>
struct LayerOperands {
  using T = typename B::Element;
  MoeShape shape;
  bool training;        // noisy gating draws noise in training only
  uint32_t rng_stream;  // keys the gating noise
  const T* x;
  const int32_t* lengths;  // nullptr: every row valid
  Params<T> params;

 protected:
  // input(i): the id of the forward step's i-th input, of `inputs`.
  template <class Input>
  LayerOperands(const ir::Node& n, B& b, size_t inputs, Input input)
      : LayerOperands(n, b, input, expert_operands(expert_layers(n), inputs, input)) {}

 private:
  template <class Input>
  LayerOperands(const ir::Node& n, B& b, Input input, const std::vector<std::pair<int, int>>& expert_ids)
      : shape(shape_of(n, b.plan().graph.value(input(0)), expert_ids)),
        training(ir::attr_bool(n.attrs, "training", false)),
        rng_stream(static_cast<uint32_t>(ir::attr_int(n.attrs, "stream", 0))),
        x(b.f(input(0))),
        lengths(b.i(input(1))) {
    params.gate = b.f(input(2));
    params.noise = b.f(input(3));
    for (const auto& [weights, bias] : expert_ids) {
      params.weights.push_back(b.f(weights));
      params.biases.push_back(b.f(bias));
    }
  }
};

template <runtime::StepBuffers B>
struct ForwardOperands : LayerOperands<B> {
  using T = typename B::Element;
  T* y;
  T* aux;  // the auxiliary loss, a scalar

  ForwardOperands(const ir::Node& n, B& b)
      : LayerOperands<B>(n, b, n.inputs.size(), [&](size_t i) { return n.inputs.at(i); }),
        y(b.f(n.outputs.at(0))),
        aux(b.f(n.outputs.at(1))) {}
};

template <runtime::StepBuffers B>
struct BackwardOperands : LayerOperands<B> {
  using T = typename B::Element;
  const T* dy;
  const T* d_aux;  // nullptr: no gradient reaches the auxiliary loss
  T* dx;           // nullptr when nothing upstream needs it
  Grads<T> grads;

  BackwardOperands(const ir::Node& n, B& b) : BackwardOperands(runtime::GradOperands(n), n, b) {}

 private:
  BackwardOperands(const runtime::GradOperands& g, const ir::Node& n, B& b)
      : LayerOperands<B>(n, b, static_cast<size_t>(ir::attr_int(n.attrs, "forward_inputs", 0)),
                         [&](size_t i) { return g.forward_input(i); }),
        dy(b.f(g.output_grad(0))),
        d_aux(b.f(g.output_grad(1))),
        dx(b.f(g.input_grad(0))) {
    grads.gate = b.f(g.input_grad(2));
    grads.noise = b.f(g.input_grad(3));
    const auto expert_ids =
        expert_operands(expert_layers(n), n.outputs.size(), [&](size_t i) { return g.input_grad(i); });
    for (const auto& [weights, bias] : expert_ids) {
      grads.weights.push_back(b.f(weights));
      grads.biases.push_back(b.f(bias));
    }
  }
};

}  // namespace ynet::ops::moe
