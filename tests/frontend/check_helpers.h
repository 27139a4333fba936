#pragma once
// Helpers shared by the front-end tests: check spec text held in memory and render the diagnostics
// exactly as `ynet check` prints them.
#include <string>
#include <utility>
#include <vector>

#include "compiler/sema/checked_model.h"

namespace ynet::test {

using Overrides = std::vector<std::pair<std::string, std::string>>;

inline std::string rendered(const sema::CheckResult& r) {
  std::string out;
  for (const syntax::Diagnostic& d : r.diagnostics) out += syntax::render(d, *r.sources);
  return out;
}

// Checks `text` as the file "t.ynet" and returns its rendered diagnostics.
inline std::string diagnostics_of(const std::string& text, const Overrides& overrides = {}) {
  return rendered(sema::check_source("t.ynet", text, overrides));
}

// A minimal valid model around `body` (which may use `video`, `target`).
inline std::string model_with(const std::string& body) {
  return "model M {\n"
         "  input video = frames(rgb: 8, audio: 4, max_frames: 10)\n"
         "  labels target = multilabel(5)\n" +
         body + "}\n";
}

}  // namespace ynet::test
