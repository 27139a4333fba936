#pragma once
// Evaluation of argument values (numbers, booleans, choice words, sample counts) against their
// declared types and ranges, with `param` lookup. Internal to the checker.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/syntax/ast.h"
#include "compiler/syntax/diagnostics.h"
#include "ops/registry.h"

namespace ynet::sema {

struct ParamEntry {
  enum class Kind { Number, Bool, Word };
  std::string name;
  Kind kind = Kind::Number;
  double number = 0;
  bool boolean = false;
  std::string word;
  syntax::SourceLoc loc;
  std::string override_text;  // "--set name=value" when overridden
  bool used = false;

  ops::AttrValue as_attr() const;
  std::string kind_name() const;
};

class ParamTable {
 public:
  ParamEntry* find(const std::string& name);
  const ParamEntry* find(const std::string& name) const;
  void add(ParamEntry entry) { entries_.push_back(std::move(entry)); }
  std::vector<std::string> names() const;
  std::vector<ParamEntry>& entries() { return entries_; }

 private:
  std::vector<ParamEntry> entries_;
};

// Parses a --set value or a param literal: a number (with k/M/G suffix), true/false or a word.
std::optional<ParamEntry> parse_param_text(const std::string& text);

// What value evaluation may see besides params.
struct ValueEnv {
  ParamTable& params;
  syntax::DiagnosticSink& diags;
  std::string labels_name;      // `target` in `target.classes`; empty when none is declared
  int64_t labels_classes = 0;
  std::string input_name;  // `video` in `video.rgb`; empty when no input is declared
  std::vector<std::pair<std::string, int64_t>> input_features;  // (name, size), concatenated in this order
  std::vector<std::string> tensor_names;  // for "is a tensor, not a value" messages
  int64_t batch = 0;                      // converts `N steps` to samples; 0: steps not allowed
};

// Evaluates `e` as a value of `arg`'s type and checks its range. Reports and returns nullopt on error.
std::optional<ops::AttrValue> eval_value(const syntax::Expr& e, const ops::ArgDef& arg, ValueEnv& env);

// "a number", "a layer call", ... for messages.
std::string describe_expr(const syntax::Expr& e);

// `Dense(x, units, activation: none|relu|sigmoid|tanh = none, ...)` for hints.
std::string signature(const ops::OpDef& op);

}  // namespace ynet::sema
