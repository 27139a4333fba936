// `ynet compile`: lower a spec to its execution plan and show it, or re-emit a saved plan file.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "cli/backend_choice.h"
#include "cli/commands.h"
#include "cli/spec_input.h"
#include "plan/emit/emit.h"
#include "compiler/lower/compile.h"
#include "compiler/sema/size_limits.h"
#include "runtime/io/output_file.h"

namespace ynet::cli {
namespace {

struct CompileArgs {
  std::string input;
  int64_t batch = 0;
  std::string mode = "train";
  std::string precision = "fp32";
  std::string emit = "text";
  std::string output;
  std::string memory_svg;
  std::vector<std::string> sets;
  int workers = 1;
};

bool is_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::string(magic, 8) == "YNETPLAN";
}

bool write_output(const std::string& path, const std::string& text) {
  try {
    io::write_output(path.empty() ? "-" : path, text);
    return true;
  } catch (const std::runtime_error& e) {
    fmt::print(stderr, "ynet: error: {}\n", e.what());
    return false;
  }
}

std::string render(const plan::Plan& p, const std::string& emit, const std::vector<plan::Plan>& by_batch,
                   const std::vector<compiler::PassReport>& passes, int workers) {
  if (emit == "json") return emit::json(p);
  if (emit == "dot") return emit::dot(p);
  if (emit == "summary")
    return emit::summary(p, by_batch) + (workers > 1 ? emit::data_parallel(p, workers) : std::string());
  if (emit == "proto") return plan::to_bytes(p);
  std::string out = emit::text(p);
  if (!passes.empty()) {
    out += "\npasses:";
    for (const auto& r : passes) out += fmt::format(" {}({})", r.pass, r.changes);
    out += "\n";
  }
  return out;
}

int run(const CompileArgs& args) {
  if (args.emit == "proto" && (args.output.empty() || args.output == "-") && isatty(fileno(stdout))) {
    fmt::print(stderr, "ynet: error: --emit proto writes binary data; give a file with -o FILE\n");
    return 2;
  }
  const bool int8 = is_int8(args.precision);
  plan::Plan p;
  std::vector<plan::Plan> by_batch;
  std::vector<compiler::PassReport> passes;
  if (is_plan_file(args.input)) {
    if (args.batch != 0 || !args.sets.empty() || args.workers > 1) {
      fmt::print(stderr, "ynet: error: '{}' is a compiled plan; --batch, --set and --workers apply to specs only\n",
                 args.input);
      return 2;
    }
    try {
      p = plan::load(args.input);
      if (int8 && p.meta.mode != plan::Mode::Infer) {
        fmt::print(stderr, "ynet: error: --precision int8 quantizes inference plans; '{}' is a training plan\n", args.input);
        return 2;
      }
      if (int8) passes.push_back(compiler::quantize_int8(p));
    } catch (const std::exception& e) {
      fmt::print(stderr, "ynet: error: {}\n", e.what());
      return 1;
    }
    by_batch.push_back(p);
  } else {
    if (int8 && args.mode != "infer") {
      fmt::print(stderr, "ynet: error: --precision int8 quantizes inference plans; add --mode infer\n");
      return 2;
    }
    int exit_code = 0;
    auto model = load_spec(args.input, args.sets, exit_code, args.batch);
    if (!model) return exit_code;
    compiler::CompileOptions options;
    options.batch = args.batch;
    options.mode = args.mode == "train" ? plan::Mode::Train : plan::Mode::Infer;
    options.precision = int8 ? compiler::Precision::int8 : compiler::Precision::fp32;
    compiler::Compiled compiled = compiler::compile(*model, options);
    if (args.workers > 1) {
      // The plan each process runs: its slice of the global batch (docs/scaling.md).
      const int64_t global = compiled.plan.meta.batch;
      if (global % args.workers != 0) {
        fmt::print(stderr, "ynet: error: the batch of {} does not split evenly over {} processes; give --batch a "
                           "multiple of {}\n", global, args.workers, args.workers);
        return 2;
      }
      options.batch = global / args.workers;
      compiled = compiler::compile(*model, options);
    }
    p = std::move(compiled.plan);
    passes = std::move(compiled.passes);
    if (args.emit == "summary") {
      std::set<int64_t> batches{1, 32, 128, 256, 512, p.meta.batch};
      for (int64_t b : batches) {
        options.batch = b;
        // A model that fits at its own batch may not at the larger rows of the table: those rows
        // are left out rather than failing the summary.
        if (sema::find_size_problem(*model, b)) continue;
        by_batch.push_back(compiler::compile(*model, options).plan);
      }
    }
  }
  if (!args.memory_svg.empty() && !write_output(args.memory_svg, emit::memory_svg(p))) return 1;
  if (args.emit == "proto" && !args.output.empty() && args.output != "-") {
    try {
      plan::save(p, args.output);
    } catch (const std::exception& e) {
      fmt::print(stderr, "ynet: error: {}\n", e.what());
      return 1;
    }
    return 0;
  }
  return write_output(args.output, render(p, args.emit, by_batch, passes, args.workers)) ? 0 : 1;
}

}  // namespace

void add_compile_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CompileArgs>();
  CLI::App* cmd = app.add_subcommand("compile", "Lower a spec to its execution plan and print or save the plan");
  cmd->footer(
      "Formats: text (steps, buffers, memory), json (the same, machine-readable; see docs/plan.md),\n"
      "dot (Graphviz: ynet compile spec.ynet --emit dot | dot -Tsvg > plan.svg), summary (parameters,\n"
      "FLOPs per sample, memory per batch size), proto (the plan file runtimes load; needs -o).\n"
      "SPEC may also be a plan file written with --emit proto, to view it again.");
  cmd->add_option("spec", args->input, "The .ynet spec (or a saved plan file)")->required()->check(CLI::ExistingFile);
  add_batch_option(*cmd, args->batch);
  cmd->add_option("--mode", args->mode, "train: forward, loss, backward, update; infer: forward to the outputs")
      ->check(CLI::IsMember({"train", "infer"}));
  add_precision_option(*cmd, args->precision, "fp32", PrecisionChoices::int8);
  cmd->add_option("--workers", args->workers,
                  "Compile the plan of one of N processes training together (its slice of the batch); the summary "
                  "adds what they exchange per step")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--emit", args->emit, "Output format")->check(CLI::IsMember({"text", "json", "dot", "summary", "proto"}));
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of standard output");
  cmd->add_option("--memory-svg", args->memory_svg, "Also draw the memory timeline (buffers over steps) to FILE");
  add_set_option(*cmd, args->sets);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace ynet::cli
