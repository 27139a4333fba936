// How long ynet takes from spec text to plan: check (parse, names, shapes) and compile (lowering,
// autodiff, passes, memory planning), per spec and mode, median of repeated runs.
// Usage: compile_bench [--repeat N] SPEC...
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/lower/compile.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 20;
  std::vector<std::string> specs;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else specs.emplace_back(argv[i]);
  }
  if (specs.empty()) {
    fmt::print(stderr, "usage: compile_bench [--repeat N] SPEC...\n");
    return 2;
  }
  fmt::print("{:<40} {:>10} {:>14} {:>14}\n", "spec", "check ms", "train plan ms", "infer plan ms");
  for (const std::string& spec : specs) {
    std::vector<double> check, train, infer;
    for (int r = 0; r < repeat; ++r) {
      using Clock = std::chrono::steady_clock;
      auto t0 = Clock::now();
      ynet::sema::CheckResult checked = ynet::sema::check_file(spec, {});
      auto t1 = Clock::now();
      if (!checked.model) {
        fmt::print(stderr, "{}: does not check\n", spec);
        return 1;
      }
      ynet::compiler::CompileOptions options;
      ynet::compiler::compile(*checked.model, options);
      auto t2 = Clock::now();
      options.mode = ynet::plan::Mode::Infer;
      ynet::compiler::compile(*checked.model, options);
      auto t3 = Clock::now();
      check.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      train.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      infer.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
    }
    fmt::print("{:<40} {:>10.2f} {:>14.2f} {:>14.2f}\n", spec, median(check), median(train), median(infer));
  }
  return 0;
}
