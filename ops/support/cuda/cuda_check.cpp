#include "ops/support/cuda/cuda_check.h"

#include <fmt/format.h>

#include <filesystem>

namespace ynet::runtime::cuda {

void fail(const char* library, const char* call, const char* message, const char* file, int line) {
  throw CudaError(fmt::format("{} error in {} ({}:{}): {}", library, call,
                              std::filesystem::path(file).filename().string(), line, message));
}

}  // namespace ynet::runtime::cuda
