#include "runtime/train/run_dir.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "runtime/train/checkpoint.h"

namespace ynet::train {

namespace fs = std::filesystem;

RunLocation locate_run(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const auto checkpoints = list_checkpoints((fs::path(path) / "checkpoints").string());
    if (checkpoints.empty())
      throw std::runtime_error(fmt::format("'{}' holds no checkpoint (expected {}/checkpoints/ckpt-*.pb from ynet train)",
                                           path, path));
    return {path, checkpoints.back().second};
  }
  if (!fs::is_regular_file(path, ec))
    throw std::runtime_error(fmt::format("'{}' is neither a run directory nor a checkpoint file", path));
  const fs::path parent = fs::path(path).parent_path();
  const fs::path run = parent.filename() == "checkpoints" ? parent.parent_path() : parent;
  return {run.empty() ? "." : run.string(), path};
}

bool holds_run(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "metrics.jsonl", ec)) return true;
  return !list_checkpoints((fs::path(dir) / "checkpoints").string()).empty();
}

}  // namespace ynet::train
