#pragma once
// Whether a plan's arena fits the memory this machine has available, checked before anything is
// allocated: a plan that cannot fit fails in milliseconds, saying what dominates (parameters,
// optimizer state, activations) and what would fit, instead of after a long allocation or with
// an out-of-memory kill.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "plan/plan.h"

namespace ynet::train {

struct PlanTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bytes of memory available to a new allocation (MemAvailable of /proc/meminfo); nullopt when unknown.
std::optional<int64_t> available_memory();

// The message for a plan whose arena (in elements of `element_bytes`: 4 for the CPU backend, 8 for
// the double-precision reference) exceeds `available` bytes; empty when it fits.
std::string memory_shortfall(const plan::Plan& plan, int64_t element_bytes, int64_t available);

// Throws PlanTooLarge with memory_shortfall's message. Host backends only: a GPU's memory is
// checked by its backend.
void check_memory(const plan::Plan& plan, const std::string& backend);

}  // namespace ynet::train
