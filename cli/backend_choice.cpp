#include "cli/backend_choice.h"

namespace ynet::cli {

void add_precision_option(CLI::App& command, std::string& precision, const std::string& default_precision,
                          PrecisionChoices choices) {
  std::string help = "Matrix products on the cuda backend: fp32, or tf32 (tensor cores; default " + default_precision + ")";
  std::vector<std::string> values = {"fp32", "tf32"};
  if (choices == PrecisionChoices::cuda_and_int8) {
    help += "; int8: inference in int8 on the cpu backend (training steps stay fp32)";
    values.push_back("int8");
  } else if (choices == PrecisionChoices::int8) {
    help = "fp32 (default), or int8: Dense layers computed in int8 (per-row input and per-column weight scales)";
    values = {"fp32", "int8"};
  }
  command.add_option("--precision", precision, help)->check(CLI::IsMember(values));
}

std::string backend_name(const std::string& backend, const std::string& precision,
                         const std::string& default_precision) {
  if (backend == "cuda") {
    if (is_int8(precision))
      throw CLI::ValidationError("--precision", "int8 runs on the cpu backend (oneDNN's int8 products), not on cuda");
    return "cuda:" + (precision.empty() ? default_precision : precision);
  }
  if (precision == "tf32") throw CLI::ValidationError("--precision", "tf32 applies to --backend cuda only, not " + backend);
  return backend;
}

}  // namespace ynet::cli
