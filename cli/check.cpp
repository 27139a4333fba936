// `ynet check SPEC... [--set NAME=VALUE]...`: parse and check specs, print each layer summary.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "cli/spec_input.h"
#include "compiler/sema/summary.h"

namespace ynet::cli {

void add_check_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> specs;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Parse and type/shape-check specs; print the layer summary (output shapes, parameters)");
  cmd->add_option("spec", args->specs, "Spec files (.ynet)")->required();
  add_set_option(*cmd, args->sets);
  cmd->footer(
      "Exit status: 0 the specs are valid (warnings may be printed), 1 a spec has errors,\n"
      "2 a usage error such as a malformed or unknown --set.\n"
      "Example: ynet check specs/simple_lstm_2048.ynet --set hidden=1024");
  cmd->callback([args, &exit_code] {
    int worst = 0;
    for (size_t i = 0; i < args->specs.size(); ++i) {
      int code = 0;
      std::optional<sema::CheckedModel> model = load_spec(args->specs[i], args->sets, code);
      if (model) {
        if (i > 0) std::fputc('\n', stdout);
        std::fputs(sema::format_summary(*model).c_str(), stdout);
      }
      worst = std::max(worst, code);
    }
    exit_code = worst;
  });
}

}  // namespace ynet::cli
