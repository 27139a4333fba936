#pragma once
// The sizes a model implies at a batch size, estimated in floating point so that the estimate
// itself cannot overflow: every buffer, byte and FLOP count the compiler and the runtime later
// compute in 64-bit integers stays far below 2^63 when these estimates stay below the limits.
// Each argument is inside its documented range on its own; their product need not be.
#include <cstdint>
#include <optional>
#include <string>

#include "compiler/sema/checked_model.h"

namespace ynet::sema {

// Memory a training step may need (parameters, optimizer slots, activations and their gradients),
// and the floating-point operations of one training step: 2^56 bytes (64 PiB) and 2^58 FLOPs, a
// factor of 32 and more under 2^63, the margin for what the estimate leaves out.
inline constexpr double kMaxStepBytes = 72057594037927936.0;    // 2^56
inline constexpr double kMaxStepFlops = 288230376151711744.0;   // 2^58

struct SizeProblem {
  SourceLoc loc;        // the layer that contributes most
  std::string message;  // what exceeds which limit, and by how much
  std::string hint;
};

// Null when the model at `batch` (and `max_frames`, 0: the spec's) fits the limits.
std::optional<SizeProblem> find_size_problem(const CheckedModel& model, int64_t batch, int64_t max_frames = 0);

// "2.3 TiB", "64 PiB": for messages.
std::string format_bytes(double bytes);

}  // namespace ynet::sema
