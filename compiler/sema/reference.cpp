#include "compiler/sema/reference.h"

#include <fmt/format.h>

#include "compiler/sema/train_checker.h"
#include "compiler/sema/values.h"
#include "ops/registry.h"

namespace ynet::sema {
namespace {

std::string type_text(const ops::ArgDef& a) {
  if (a.type == ops::ArgType::Choice) return fmt::format("{}", fmt::join(a.choices, " \\| "));
  return ops::arg_type_name(a.type);
}

std::string section(const std::string& title, const std::string& category) {
  std::string out = fmt::format("### {}\n\n", title);
  for (const ops::OpDef* op : ops::ops_in_category(category)) {
    out += fmt::format("#### `{}`\n\n{}\n\n", op->name, op->doc);
    if (!op->shape_doc.empty()) out += fmt::format("Shape: `{}`\n\n", op->shape_doc);
    if (op->inputs.empty() && op->args.empty()) continue;
    out += "| argument | type | default | range | description |\n|---|---|---|---|---|\n";
    for (const ops::InputDef& in : op->inputs) {
      out += fmt::format("| `{}` | tensor | (input) | | {} |\n", in.name, in.doc);
    }
    for (const ops::ArgDef& a : op->args) {
      std::string range = (a.range.min || a.range.max) ? a.range.to_string() : "";
      out += fmt::format("| `{}` | {} | {} | {} | {} |\n", a.name, type_text(a),
                         a.default_value ? fmt::format("`{}`", ops::attr_to_string(*a.default_value)) : "required",
                         range, a.doc);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string reference_markdown() {
  std::string out = "## Layer reference\n\n"
                    "Inputs come first and may be given positionally; in a pipeline stage the left side is the "
                    "first input. Arguments follow in the order listed.\n\n";
  out += section("Layers", "layer");
  out += section("Losses", "loss");
  out += "## Training reference\n\n### Settings of `train { }`\n\n"
         "| setting | type | default | description |\n|---|---|---|---|\n";
  for (const TrainSettingDoc& s : train_setting_docs()) {
    out += fmt::format("| `{}` | {} | `{}` | {} |\n", s.name, s.type, s.default_value, s.doc);
  }
  out += "\n";
  out += section("Optimizers", "optimizer");
  out += section("Schedules", "schedule");
  return out;
}

}  // namespace ynet::sema
