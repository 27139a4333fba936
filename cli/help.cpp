// `ynet help [COMMAND | layers]`: the help of one subcommand, or the generated layer reference.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "compiler/sema/reference.h"

namespace ynet::cli {

void add_help_command(CLI::App& app, int& exit_code) {
  auto topic = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("help", "Show help: `ynet help COMMAND`, or `ynet help layers` for "
                                             "every layer, optimizer and schedule");
  cmd->add_option("topic", *topic, "A command name, or `layers`");
  cmd->callback([&app, topic, &exit_code] {
    if (topic->empty()) {
      std::fputs(app.help().c_str(), stdout);
      return;
    }
    if (*topic == "layers") {
      std::fputs(sema::reference_markdown().c_str(), stdout);
      return;
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == *topic) {
        std::fputs(sub->help().c_str(), stdout);
        return;
      }
    }
    std::string names;
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    fmt::print(stderr, "ynet: error: no help topic `{}`; topics: {}, layers\n", *topic, names);
    exit_code = 2;
  });
}

}  // namespace ynet::cli
