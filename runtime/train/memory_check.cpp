#include "runtime/train/memory_check.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace ynet::train {
namespace {

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

}  // namespace

std::optional<int64_t> available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    int64_t kib = 0;
    if (words >> key >> kib && key == "MemAvailable:") return kib * 1024;
  }
  return std::nullopt;
}

std::string memory_shortfall(const plan::Plan& plan, int64_t element_bytes, int64_t available) {
  // The plan counts 4-byte floats; a backend of other elements scales every buffer alike.
  const double scale = static_cast<double>(element_bytes) / 4.0;
  const double arena = static_cast<double>(plan.memory.arena_bytes) * scale;
  if (arena <= static_cast<double>(available)) return "";
  auto kind = [&](ir::BufferKind k) {
    const auto it = plan.memory.bytes_by_kind.find(k);
    return it == plan.memory.bytes_by_kind.end() ? 0.0 : static_cast<double>(it->second) * scale;
  };
  // Parameters, their gradients and the optimizer's slots do not shrink with the batch; the rest
  // of the arena (activations, their gradients, saved values, inputs) grows with it.
  const double parameters = kind(ir::BufferKind::Param) + kind(ir::BufferKind::ModelState);
  const double optimizer = kind(ir::BufferKind::OptimizerState) + kind(ir::BufferKind::ParamGrad);
  const double fixed = std::min(arena, parameters + optimizer);
  const double per_batch = arena - fixed;
  const int64_t batch = plan.meta.batch;
  std::string advice;
  if (fixed >= static_cast<double>(available)) {
    advice = fmt::format("the parameters{} alone exceed it at any batch size: a smaller model is needed",
                         optimizer > 0 ? " and the optimizer state" : "");
  } else {
    const double per_sample = per_batch / static_cast<double>(std::max<int64_t>(batch, 1));
    const auto fits = static_cast<int64_t>((static_cast<double>(available) - fixed) / std::max(per_sample, 1.0));
    advice = fits >= 1 ? fmt::format("activations dominate: --batch {} or smaller would fit", fits)
                       : "even batch 1 does not fit: fewer frames or smaller layers are needed";
  }
  return fmt::format("the {} plan of {} at batch {} needs {} of memory (parameters {}, optimizer state and gradients "
                     "{}, activations and other batch buffers {}), but {} is available; {}",
                     plan.meta.mode == plan::Mode::Train ? "training" : "inference", plan.meta.model, batch, gib(arena),
                     gib(parameters), gib(optimizer), gib(per_batch), gib(static_cast<double>(available)), advice);
}

void check_memory(const plan::Plan& plan, const std::string& backend) {
  if (backend.rfind("cuda", 0) == 0) return;
  const std::optional<int64_t> available = available_memory();
  if (!available) return;
  const std::string shortfall = memory_shortfall(plan, backend == "reference" ? 8 : 4, *available);
  if (!shortfall.empty()) throw PlanTooLarge(shortfall);
}

}  // namespace ynet::train
