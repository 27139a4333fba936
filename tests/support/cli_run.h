#pragma once
// Runs the built `ynet` binary for end-to-end tests: exit status and output (stdout and stderr).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace ynet::test {

struct CliRun {
  int status = -1;
  std::string output;
  bool has(const std::string& text) const { return output.find(text) != std::string::npos; }
};

// Runs a shell command line; its stdout and stderr together.
inline CliRun run_shell(const std::string& command_line) {
  const std::string command = command_line + " 2>&1";
  CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

inline CliRun run_ynet(const std::string& args) { return run_shell(std::string(YNET_BINARY_DIR) + "/cli/ynet " + args); }

// A fresh scratch directory under the build tree, removed and recreated.
inline std::string scratch_dir(const std::string& name) {
  const std::string dir = std::string(YNET_BINARY_DIR) + "/test-scratch/" + name;
  const std::string command = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  if (std::system(command.c_str()) != 0) return {};
  return dir;
}

}  // namespace ynet::test
