#pragma once
// What every subcommand that takes a spec shares: `--set k=v` options and turning a spec file into
// a checked model, printing its diagnostics the way `ynet check` does.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/sema/checked_model.h"

namespace ynet::cli {

// Adds `--set NAME=VALUE` (repeatable) to a subcommand.
void add_set_option(CLI::App& command, std::vector<std::string>& sets);

// Checks the spec with the overrides. Prints warnings and errors to stderr. On failure returns
// nothing and sets exit_code: 1 for errors in the spec, 2 for a malformed or unknown --set.
std::optional<sema::CheckedModel> load_spec(const std::string& path, const std::vector<std::string>& sets,
                                            int& exit_code);

}  // namespace ynet::cli
