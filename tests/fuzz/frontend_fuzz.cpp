// libFuzzer target for the front end: any bytes, checked as a spec, must end in diagnostics or a
// model: no crash, no leak, no hang. Includes resolve against specs/ so seeds keep their context.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/sema/checked_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ynet::sema::CheckResult r = ynet::sema::check_source("specs/fuzz.ynet", text, {{"hidden", "64"}});
  for (const ynet::syntax::Diagnostic& d : r.diagnostics) {
    std::string rendered = ynet::syntax::render(d, *r.sources);
    if (rendered.empty()) __builtin_trap();
  }
  return 0;
}
