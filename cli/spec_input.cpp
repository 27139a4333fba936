#include "cli/spec_input.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ynet::cli {

namespace {

// What a binary file given as a spec is, from its first bytes ("" for text): parsed as a spec it
// would only give errors that echo binary bytes.
std::string binary_file_kind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[4096];
  in.read(head, sizeof head);
  const std::string bytes(head, static_cast<size_t>(in.gcount()));
  if (bytes.rfind("YNETPLAN", 0) == 0) return "a plan file (view it with ynet compile)";
  if (bytes.find('\0') == std::string::npos) return "";
  const std::string name = std::filesystem::path(path).filename().string();
  if (name.rfind("ckpt-", 0) == 0) return "a checkpoint (evaluate it with ynet eval)";
  if (name.find("tfrecord") != std::string::npos) return "a record file";
  return "a binary file";
}

}  // namespace

void add_set_option(CLI::App& command, std::vector<std::string>& sets) {
  command.add_option("--set", sets, "Override a `param` of the spec: --set hidden=1024 (repeatable)")
      ->type_name("NAME=VALUE");
}

void add_batch_option(CLI::App& command, int64_t& batch, const std::string& help) {
  command.add_option("--batch", batch, help)->check(CLI::Range(int64_t{1}, kMaxBatch));
}

SpecPlans compile_plans(const sema::CheckedModel& model, int64_t batch, int64_t max_frames,
                        compiler::Precision infer_precision) {
  compiler::CompileOptions options;
  options.batch = batch;
  options.max_frames = max_frames;
  SpecPlans plans;
  plans.train = compiler::compile(model, options).plan;
  options.mode = plan::Mode::Infer;
  options.precision = infer_precision;
  plans.infer = compiler::compile(model, options).plan;
  return plans;
}

std::optional<sema::CheckedModel> load_spec(const std::string& path, const std::vector<std::string>& sets,
                                            int& exit_code, int64_t batch) {
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const std::string& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      fmt::print(stderr, "ynet: error: --set {}: expected NAME=VALUE, for example --set hidden=1024\n", s);
      exit_code = 2;
      return std::nullopt;
    }
    overrides.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  if (const std::string kind = binary_file_kind(path); !kind.empty()) {
    fmt::print(stderr, "ynet: error: '{}' is {}, not a spec; expected a .ynet text file\n", path, kind);
    exit_code = 1;
    return std::nullopt;
  }
  sema::CheckResult result = sema::check_file(path, overrides, batch);
  if (!result.usage_error.empty()) {
    fmt::print(stderr, "ynet: error: {}\n", result.usage_error);
    exit_code = 2;
    return std::nullopt;
  }
  for (const syntax::Diagnostic& d : result.diagnostics) fmt::print(stderr, "{}", syntax::render(d, *result.sources));
  if (result.has_errors() || !result.model) {
    exit_code = 1;
    return std::nullopt;
  }
  return std::move(result.model);
}

}  // namespace ynet::cli
