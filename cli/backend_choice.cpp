#include "cli/backend_choice.h"

namespace ynet::cli {

void add_precision_option(CLI::App& command, std::string& precision, const std::string& default_precision) {
  command
      .add_option("--precision", precision,
                  "Matrix products on the cuda backend: fp32, or tf32 (tensor cores; default " + default_precision +
                      ")")
      ->check(CLI::IsMember({"fp32", "tf32"}));
}

std::string backend_name(const std::string& backend, const std::string& precision,
                         const std::string& default_precision) {
  if (backend == "cuda") return "cuda:" + (precision.empty() ? default_precision : precision);
  if (!precision.empty())
    throw CLI::ValidationError("--precision", "applies to --backend cuda only, not " + backend);
  return backend;
}

}  // namespace ynet::cli
