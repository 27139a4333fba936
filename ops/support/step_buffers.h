#pragma once
// What a backend's buffers offer the steps it binds: the host arenas (Buffers<double> for the
// reference, Buffers<float> for the CPU) and the CUDA device arena (DeviceBuffers) all satisfy it,
// so an op reads its operands once, in ops/<op>/operands.h, for every backend.
#include <concepts>
#include <cstdint>

#include "plan/plan.h"

namespace ynet::runtime {

template <class B>
concept StepBuffers = requires(B& buffers, const B& view, int id) {
  typename B::Element;  // double (reference), float (CPU, CUDA)
  { view.plan() } -> std::same_as<const plan::Plan&>;
  { view.elements(id) } -> std::same_as<int64_t>;
  { buffers.f(id) } -> std::same_as<typename B::Element*>;  // nullptr for an absent operand (-1)
  { buffers.i(id) } -> std::same_as<int32_t*>;
  { buffers.u8(id) } -> std::same_as<uint8_t*>;
};

}  // namespace ynet::runtime
