#pragma once
// What the subcommands that run a plan share about choosing a backend: the --precision option of
// the CUDA backend and the backend name that carries it ("cuda:fp32", "cuda:tf32").
#include <string>

#include <CLI/CLI.hpp>

namespace ynet::cli {

// Adds `--precision fp32|tf32` to a subcommand; `default_precision` is named in its help.
void add_precision_option(CLI::App& command, std::string& precision, const std::string& default_precision);

// The name make_backend takes: "cuda:<precision>" for cuda (the default precision when none was
// given), the backend itself otherwise. Throws CLI::ValidationError when a precision is given for a
// backend other than cuda.
std::string backend_name(const std::string& backend, const std::string& precision,
                         const std::string& default_precision);

}  // namespace ynet::cli
