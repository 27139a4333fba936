#pragma once
// What the subcommands that run a plan share about precision: the --precision option, which sets
// the matrix products of the CUDA backend (fp32, tf32: the backend name carries it, "cuda:tf32")
// and, for inference on the host backends, int8 (an inference plan quantized by
// compiler::quantize_int8).
#include <string>

#include <CLI/CLI.hpp>

namespace ynet::cli {

// Adds `--precision fp32|tf32` (with_int8: `fp32|tf32|int8`, or `fp32|int8` for a command without
// the cuda backend) to a subcommand; `default_precision` is named in its help.
enum class PrecisionChoices { cuda, cuda_and_int8, int8 };
void add_precision_option(CLI::App& command, std::string& precision, const std::string& default_precision,
                          PrecisionChoices choices = PrecisionChoices::cuda);

// The name make_backend takes: "cuda:<precision>" for cuda (the default precision when none was
// given), the backend itself otherwise. Throws CLI::ValidationError for a precision the backend
// does not have (tf32 off cuda, int8 on cuda).
std::string backend_name(const std::string& backend, const std::string& precision,
                         const std::string& default_precision);

inline bool is_int8(const std::string& precision) { return precision == "int8"; }

}  // namespace ynet::cli
