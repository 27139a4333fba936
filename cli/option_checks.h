#pragma once
// Checks of integer options that say their bound as a person would: CLI11's PositiveNumber names
// a range that ends at the largest double, a 309-digit number.
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ynet::cli {

inline CLI::Validator at_least(int64_t minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc::result_out_of_range) return fmt::format("{} is too large", text);
        if (error != std::errc() || ptr != end) return fmt::format("'{}' is not a whole number", text);
        if (value < minimum) return fmt::format("{} is less than {}, the smallest value allowed", value, minimum);
        return "";
      },
      fmt::format("INT>={}", minimum));
}

// A data option (--train, --valid, --data) taking globs: quoted globs, comma-separated, or the
// several files an unquoted glob expands to in the shell, which would otherwise be "arguments
// that were not expected".
inline CLI::Option* add_files_option(CLI::App& command, const std::string& name, std::string& globs,
                                     const std::string& help) {
  return command
      .add_option_function<std::vector<std::string>>(
          name,
          [&globs](const std::vector<std::string>& values) {
            globs.clear();
            for (const std::string& v : values) globs += (globs.empty() ? "" : ",") + v;
          },
          help + " (globs: quote them, or list several files)")
      ->expected(1, -1)
      ->type_name("GLOB...");
}

}  // namespace ynet::cli
