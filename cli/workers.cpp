#include "cli/workers.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

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

volatile sig_atomic_t stop_signal = 0;
volatile pid_t launcher = -1;

// A signal from the terminal (Ctrl-C) reaches mpirun as it reaches this process, and mpirun passes
// it on to the workers once; one sent to this process alone (kill, a scheduler) is passed to
// mpirun here. mpirun stays in this process group so that it can read the terminal.
void on_stop_signal(int signal, siginfo_t* info, void*) {
  stop_signal = signal;
  const bool from_terminal = info != nullptr && info->si_code == SI_KERNEL;
  if (!from_terminal && launcher > 0) kill(launcher, signal);
}

}  // namespace

void remember_command_line(int argc, char** argv) { command_line().assign(argv, argv + argc); }

std::optional<int> run_as_workers(int workers) {
  if (!dist::built_with_mpi())
    throw std::runtime_error("--workers: this ynet was built without MPI (install libopenmpi-dev and openmpi-bin, then "
                             "rebuild)");
  if (dist::detect_launch().ranks > 1) return std::nullopt;  // already one of the workers
  std::vector<std::string> arguments{"mpirun", "-np", std::to_string(workers), "--oversubscribe"};
  // Open MPI refuses to start as root unless told; the machine's owner asked for the workers.
  if (geteuid() == 0) arguments.push_back("--allow-run-as-root");
  std::vector<std::string> self = without_workers(command_line());
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length > 0) self[0].assign(path, static_cast<size_t>(length));
  arguments.insert(arguments.end(), self.begin(), self.end());
  std::vector<char*> argv;
  for (std::string& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The child reports a failed exec through a pipe that a successful exec closes.
  int exec_failed[2];
  if (pipe2(exec_failed, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  struct sigaction action {};
  action.sa_sigaction = on_stop_signal;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(argv[0], argv.data());
    const int error = errno;
    (void)!write(exec_failed[1], &error, sizeof error);
    _exit(127);
  }
  launcher = child;
  close(exec_failed[1]);
  int error = 0;
  const bool not_started = read(exec_failed[0], &error, sizeof error) == sizeof error;
  close(exec_failed[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  launcher = -1;
  if (not_started)
    throw std::runtime_error(fmt::format("--workers: cannot start mpirun ({}); install openmpi-bin, or start ynet under "
                                         "your MPI launcher (mpirun -np {} ynet train ...)",
                                         std::strerror(error), workers));
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return code != 0 && stop_signal != 0 ? 128 + stop_signal : code;
}

}  // namespace ynet::cli
