#include <fmt/format.h>

#include "plan/emit/emit.h"

namespace ynet::emit {

std::string bytes(int64_t n) {
  const double v = static_cast<double>(n);
  if (n >= (int64_t{1} << 50)) return fmt::format("{:.2f} PiB", v / double(int64_t{1} << 50));
  if (n >= (int64_t{1} << 40)) return fmt::format("{:.2f} TiB", v / double(int64_t{1} << 40));
  if (n >= (int64_t{1} << 30)) return fmt::format("{:.2f} GiB", v / (1 << 30));
  if (n >= (int64_t{1} << 20)) return fmt::format("{:.1f} MiB", v / (1 << 20));
  if (n >= (int64_t{1} << 10)) return fmt::format("{:.1f} KiB", v / (1 << 10));
  return fmt::format("{} B", n);
}

std::string flops(int64_t n) {
  const double v = static_cast<double>(n);
  if (n >= 1'000'000'000'000'000) return fmt::format("{:.2f} PFLOP", v / 1e15);
  if (n >= 1'000'000'000'000) return fmt::format("{:.2f} TFLOP", v / 1e12);
  if (n >= 1'000'000'000) return fmt::format("{:.2f} GFLOP", v / 1e9);
  if (n >= 1'000'000) return fmt::format("{:.2f} MFLOP", v / 1e6);
  if (n >= 1'000) return fmt::format("{:.2f} kFLOP", v / 1e3);
  return fmt::format("{} FLOP", n);
}

}  // namespace ynet::emit
