#include "cli/workers.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/dist/collectives.h"

namespace ynet::cli {
namespace {

std::vector<std::string>& command_line() {
  static std::vector<std::string> arguments;
  return arguments;
}

// The arguments without `--workers N` / `--workers=N`.
std::vector<std::string> without_workers(const std::vector<std::string>& arguments) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--workers") {
      ++i;
      continue;
    }
    if (arguments[i].rfind("--workers=", 0) == 0) continue;
    kept.push_back(arguments[i]);
  }
  return kept;
}

}  // namespace

void remember_command_line(int argc, char** argv) {
  command_line().assign(argv, argv + argc);
}

std::string relaunch_as_workers(int workers) {
  if (!dist::built_with_mpi())
    return "--workers: this ynet was built without MPI (install libopenmpi-dev and openmpi-bin, then rebuild)";
  if (dist::detect_launch().ranks > 1) return "";  // already one of the workers
  std::vector<std::string> arguments{"mpirun", "-np", std::to_string(workers), "--oversubscribe"};
  // Open MPI refuses to start as root unless told; the machine's owner asked for the workers.
  if (geteuid() == 0) arguments.push_back("--allow-run-as-root");
  std::vector<std::string> self = without_workers(command_line());
  self[0] = "/proc/self/exe";
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length > 0) self[0].assign(path, static_cast<size_t>(length));
  arguments.insert(arguments.end(), self.begin(), self.end());
  std::vector<char*> argv;
  for (std::string& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  execvp(argv[0], argv.data());
  return fmt::format("--workers: cannot start mpirun ({}); install openmpi-bin, or start ynet under your MPI "
                     "launcher (mpirun -np {} ynet train ...)",
                     std::strerror(errno), workers);
}

}  // namespace ynet::cli
