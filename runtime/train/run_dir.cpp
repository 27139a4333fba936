#include "runtime/train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "plan/emit/emit.h"
#include "runtime/train/checkpoint.h"

namespace ynet::train {

namespace fs = std::filesystem;

namespace {

// What a path that is not a run holds, for the message: the first bytes tell a spec, a plan, a
// checkpoint or a record file apart.
std::string describe_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  const std::string bytes(head, static_cast<size_t>(in.gcount()));
  const std::string extension = fs::path(path).extension().string();
  if (bytes.rfind("YNETPLAN", 0) == 0) return "a plan file";
  if (extension == ".ynet") return "a spec";
  if (extension == ".tfrecord" || extension == ".tfrec") return "a record file";
  return "";
}

}  // namespace

RunLocation locate_run(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const auto found = list_checkpoints((fs::path(path) / "checkpoints").string());
    if (found.empty())
      throw std::runtime_error(fmt::format("'{}' holds no checkpoint (expected {}/checkpoints/ckpt-*.pb from ynet train)",
                                           path, path));
    RunLocation location{path, {}};
    for (auto it = found.rbegin(); it != found.rend(); ++it) location.checkpoints.push_back(it->second);
    return location;
  }
  if (!fs::is_regular_file(path, ec))
    throw std::runtime_error(fmt::format("'{}' is neither a run directory nor a checkpoint file{}", path,
                                         fs::exists(path, ec) ? "" : " (it does not exist)"));
  if (const std::string kind = describe_file(path); !kind.empty())
    throw std::runtime_error(fmt::format("'{}' is {}; expected a run directory (ynet train --out) or a checkpoint file "
                                         "in its checkpoints/", path, kind));
  const fs::path parent = fs::path(path).parent_path();
  const fs::path run = parent.filename() == "checkpoints" ? parent.parent_path() : parent;
  return {run.empty() ? "." : run.string(), {path}};
}

bool holds_run(const std::string& dir) {
  std::error_code ec;
  // An empty log is a start that failed before its first step: nothing to protect.
  const fs::path log = fs::path(dir) / "metrics.jsonl";
  if (fs::exists(log, ec) && fs::file_size(log, ec) > 0 && !ec) return true;
  return !list_checkpoints((fs::path(dir) / "checkpoints").string()).empty();
}

RunLock::RunLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create the run directory '{}': {}", dir, ec.message()));
  const std::string path = (fs::path(dir) / kLockFile).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw std::runtime_error(fmt::format("cannot lock '{}': {}", path, std::strerror(error)));
    std::string pid(holder, static_cast<size_t>(std::max<ssize_t>(n, 0)));
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    throw RunLocked(fmt::format("the run directory '{}' is in use by another ynet train{} (lock {})", dir,
                                pid.empty() ? "" : " (process " + pid + ")", path));
  }
  // The holder's pid, for the message another trainer gives; the lock itself is the flock.
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message of a second trainer is poorer.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

void write_run_files(const std::string& dir, const RunFiles& files, const plan::Plan& train_plan,
                     const plan::Plan& infer_plan) {
  const fs::path root(dir);
  write_file_atomically((root / "spec.ynet").string(), files.spec_as_run);
  plan::save(train_plan, (root / kTrainPlanFile).string());
  plan::save(infer_plan, (root / kInferPlanFile).string());
  write_file_atomically((root / "plan.txt").string(), emit::text(train_plan));
  if (!files.label_counts.empty()) {
    std::string csv = "class,count\n";
    for (size_t c = 0; c < files.label_counts.size(); ++c) csv += fmt::format("{},{}\n", c, files.label_counts[c]);
    write_file_atomically((root / "label_counts.csv").string(), csv);
  }
}

void clear_run(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  fs::remove_all(root / "checkpoints", ec);
  fs::remove(root / "metrics.jsonl", ec);
  fs::remove(root / "curves.svg", ec);
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) fs::remove(entry.path(), ec);
}

}  // namespace ynet::train
